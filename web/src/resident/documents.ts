/**
 * The GraphQL documents of the residents' public pages (/r/): no token, the public fields only.
 */
import { graphql } from "../gql";

export const ResidentStreet = graphql(`
  query ResidentStreet($slug: String!) {
    publicStreet(slug: $slug) {
      slug
      name
      categories {
        code
        name
      }
    }
  }
`);

export const ResidentReport = graphql(`
  mutation ResidentReport($input: ResidentReportInput!, $photo: Upload) {
    reportAsResident(input: $input, photo: $photo) {
      number
      trackingToken
      errors {
        field
        code
        message
      }
    }
  }
`);

export const ResidentTracked = graphql(`
  query ResidentTracked($street: String!, $token: String!) {
    trackedCase(street: $street, token: $token) {
      ...TrackedFields
    }
  }
`);

export const ResidentRate = graphql(`
  mutation ResidentRate($input: RateTrackedCaseInput!) {
    rateTrackedCase(input: $input) {
      case {
        ...TrackedFields
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export const TrackedFields = graphql(`
  fragment TrackedFields on TrackedCase {
    number
    category
    state
    reportedAt
    resolvedAt
    verifiedAt
    closedAt
    satisfaction
    mayRate
    photos {
      index
      contentType
    }
  }
`);
