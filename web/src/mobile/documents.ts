/**
 * The GraphQL documents of /m/ (the wall's are in ../documents.ts). Types are generated from
 * them into ../gql (npm run codegen). Other parts of /m/ add their documents here, one export
 * per operation, named as the operation.
 */
import { graphql } from "../gql";

export const MobileMe = graphql(`
  query MobileMe {
    me {
      subject
      username
      roles
      tenant {
        name
      }
      gridScope {
        kind
        path
      }
    }
  }
`);

export const VisitHouseholds = graphql(`
  query VisitHouseholds($address: String) {
    households(first: 30, filter: { addressContains: $address }) {
      edges {
        node {
          id
          address
        }
      }
    }
  }
`);

export const VisitCoverageFigure = graphql(`
  query VisitCoverageFigure {
    visitCoverage {
      days
      total {
        households
        visited
        rate
      }
    }
  }
`);

export const VisitCategories = graphql(`
  query VisitCategories {
    caseCategories {
      id
      name
      selfHandle
    }
  }
`);

export const RecordHomeVisit = graphql(`
  mutation RecordHomeVisit($input: RecordHomeVisitInput!) {
    recordHomeVisit(input: $input) {
      visit {
        id
      }
      case {
        id
        number
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export const MobileCase = graphql(`
  query MobileCase($id: ID!) {
    node(id: $id) {
      ... on Case {
        id
        number
        title
        state
        version
        reporter
        assignee
        category {
          name
          selfHandle
        }
      }
    }
  }
`);

export const MoveCase = graphql(`
  mutation MoveCase($input: TransitionCaseInput!) {
    transitionCase(input: $input) {
      case {
        id
        state
        version
      }
      errors {
        field
        code
        message
      }
    }
  }
`);
