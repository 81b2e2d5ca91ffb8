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
