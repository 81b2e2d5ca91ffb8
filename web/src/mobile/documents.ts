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

/** One line of a case list (tasks, inbox): what a countdown and a state tag need. */
export const CaseLine = graphql(`
  fragment CaseLine on Case {
    id
    number
    title
    state
    priority
    address
    createdAt
    nextDeadline
    nextDue
    overdue
    category {
      name
    }
    node {
      name
    }
  }
`);

export const MobileCases = graphql(`
  query MobileCases($filter: CaseFilter!, $order: CaseOrder) {
    cases(first: 50, filter: $filter, order: $order) {
      edges {
        node {
          ...CaseLine
        }
      }
    }
  }
`);

export const MobileCase = graphql(`
  query MobileCase($id: ID!) {
    node(id: $id) {
      ... on Case {
        ...CaseLine
        description
        version
        escalation
        reporter
        assigneeKind
        assignee
        assigneeAccount {
          username
          displayName
        }
        latitude
        longitude
        satisfaction
        actions
        node {
          path
        }
        timeline {
          version
          action
          toState
          actor
          note
          at
        }
        attachments {
          id
          filename
          url
        }
      }
    }
  }
`);

export const DispatchCandidates = graphql(`
  query DispatchCandidates($caseId: ID!) {
    dispatchCandidates(caseId: $caseId) {
      kind
      assignee
      name
      posts
    }
  }
`);

export const ReportStart = graphql(`
  query ReportStart {
    caseCategories {
      id
      code
      name
    }
    gridNodes(first: 500) {
      edges {
        node {
          id
          path
          name
          level
          boundary
        }
      }
    }
  }
`);

export const ReportCase = graphql(`
  mutation ReportCase($input: ReportCaseInput!) {
    reportCase(input: $input) {
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

export const TransitionCase = graphql(`
  mutation TransitionCase($input: TransitionCaseInput!) {
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

export const AddCasePhoto = graphql(`
  mutation AddCasePhoto($caseId: ID!, $file: Upload!) {
    addCaseAttachment(caseId: $caseId, file: $file) {
      attachment {
        id
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export const MyShifts = graphql(`
  query MyShifts($endsAfter: DateTime!) {
    dutyShifts(first: 20, filter: { mine: true, endsAfter: $endsAfter }) {
      edges {
        node {
          id
          startsAt
          endsAt
          state
          checkedIn {
            at
          }
          checkedOut {
            at
          }
          node {
            name
          }
          station {
            name
          }
        }
      }
    }
  }
`);

export const CheckIn = graphql(`
  mutation CheckIn($input: ShiftMarkInput!) {
    checkIn(input: $input) {
      shift {
        id
        state
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export const CheckOut = graphql(`
  mutation CheckOut($input: ShiftMarkInput!) {
    checkOut(input: $input) {
      shift {
        id
        state
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export const Overview = graphql(`
  query Overview {
    keyFigures {
      openCases
      overdueCases
      closedToday
      reportedToday
      closureRate30Days
      satisfaction30Days
      onDutyNow
      casesByState {
        state
        count
      }
    }
  }
`);

/** Sharing across streets (tenants/sharing/): the catalogue, requests, the needs list. */
export const MobileCatalogue = graphql(`
  query MobileCatalogue($filter: CatalogueFilter) {
    catalogue(first: 50, filter: $filter) {
      edges {
        node {
          id
          kind
          description
          unitName
          streetName
          scope
          quantity
          own
        }
      }
    }
  }
`);

export const ShareRequestLine = graphql(`
  fragment ShareRequestLine on ShareRequest {
    id
    status
    mine
    offered
    requesterName
    note
    quantity
    slotStart
    slotEnd
    requesterRating
    ownerRating
    requestedAt
    resource {
      description
      unitName
      streetName
    }
  }
`);

export const MobileShareRequests = graphql(`
  query MobileShareRequests {
    shareRequests(first: 50) {
      edges {
        node {
          ...ShareRequestLine
        }
      }
    }
  }
`);

export const RequestShare = graphql(`
  mutation RequestShare($input: RequestShareInput!) {
    requestShare(input: $input) {
      request {
        ...ShareRequestLine
      }
      errors {
        code
        message
      }
    }
  }
`);

export const ApproveShareRequest = graphql(`
  mutation ApproveShareRequest($id: ID!) {
    approveShareRequest(id: $id) {
      request {
        ...ShareRequestLine
      }
      errors {
        code
        message
      }
    }
  }
`);

export const DeclineShareRequest = graphql(`
  mutation DeclineShareRequest($id: ID!, $reason: String!) {
    declineShareRequest(id: $id, reason: $reason) {
      request {
        ...ShareRequestLine
      }
      errors {
        code
        message
      }
    }
  }
`);

export const MobileGridNeeds = graphql(`
  query MobileGridNeeds {
    gridNeeds(first: 50) {
      edges {
        node {
          id
          kind
          title
          status
          claimantName
          node {
            name
          }
        }
      }
    }
  }
`);
