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

/** What a mutation's payload says when the server refuses it (UserError). */
export const Refusal = graphql(`
  fragment Refusal on UserError {
    field
    code
    message
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
        ...Refusal
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
        ...Refusal
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
        ...Refusal
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
        ...Refusal
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
        ...Refusal
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

/* Home visits (tenants/visits/): households to visit, the coverage figure, recording a visit. */

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

/* The notification centre (graphql/notices/): the caller's own notifications, the live unread
   count, marking read, and the Web Push opt-in. */

export const MobileNotifications = graphql(`
  query MobileNotifications($first: Int!) {
    notifications(first: $first) {
      edges {
        node {
          id
          kind
          text
          createdAt
          readAt
          case {
            id
          }
        }
      }
    }
    pushPublicKey
  }
`);

export const MobileUnreadCount = graphql(`
  subscription MobileUnreadCount {
    unreadNotificationCount
  }
`);

export const MobileMarkRead = graphql(`
  mutation MobileMarkRead($ids: [ID!], $all: Boolean!) {
    markNotificationsRead(ids: $ids, all: $all) {
      marked
      unreadCount
      errors {
        field
        code
        message
      }
    }
  }
`);

export const MobileSubscribePush = graphql(`
  mutation MobileSubscribePush($input: SubscribePushInput!) {
    subscribePush(input: $input) {
      subscribed
      errors {
        field
        code
        message
      }
    }
  }
`);

export const MobileUnsubscribePush = graphql(`
  mutation MobileUnsubscribePush($endpoint: String!) {
    unsubscribePush(endpoint: $endpoint) {
      subscribed
      errors {
        field
        code
        message
      }
    }
  }
`);

/* The volunteers' daily knock log (爱心敲门, tenants/knocks/). */

export const MobileMyPairings = graphql(`
  query MobileMyPairings {
    pairings(first: 100) {
      edges {
        node {
          id
          kind
          active
          elder {
            name
            address
          }
        }
      }
    }
  }
`);

export const MobilePairingKnocks = graphql(`
  query MobilePairingKnocks($pairingId: ID!) {
    pairingKnocks(pairingId: $pairingId, first: 7) {
      edges {
        node {
          id
          day
          status
          note
        }
      }
    }
  }
`);

export const MobileRecordKnock = graphql(`
  mutation MobileRecordKnock($input: RecordKnockInput!) {
    recordKnock(input: $input) {
      knock {
        id
        day
        status
        note
        case {
          id
          number
        }
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

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
