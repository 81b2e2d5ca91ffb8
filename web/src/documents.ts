/** The wall's GraphQL documents, typed by GraphQL Code Generator from graphql/schema.graphql. */
import { graphql } from "./gql";

export const WallStart = graphql(`
  query WallStart {
    me {
      username
      districtSlug
      tenant {
        name
      }
    }
  }
`);

export const CoverageQuery = graphql(`
  query WallCoverage {
    gridCoverage {
      level
      partyOrganisationShare
      headShare
      stationShare
    }
  }
`);

export const KeyFiguresQuery = graphql(`
  query WallFigures {
    keyFigures {
      ...WallFigures
    }
  }
`);

export const TrendQuery = graphql(`
  query WallTrend {
    caseTrend(days: 30) {
      timeZone
      asOf
      days {
        day
        reported
        closed
        overdue
      }
    }
  }
`);

export const FiguresFragment = graphql(`
  fragment WallFigures on KeyFigures {
    openCases
    overdueCases
    closedToday
    reportedToday
    closureRate30Days
    onTimeClosureRate30Days
    satisfaction30Days
    onDutyNow
    residents
    households
    partyMembers
    householdsByColour {
      colour
      count
    }
    asOf
  }
`);

export const RecentCases = graphql(`
  query WallRecentCases {
    cases(first: 30, order: { field: CREATED_AT, direction: DESC }) {
      edges {
        node {
          id
          number
          title
          state
          priority
          overdue
          nextDue
          createdAt
          node {
            path
          }
        }
      }
    }
  }
`);

export const Heartbeat = graphql(`
  subscription WallHeartbeat($intervalSeconds: Float!) {
    heartbeat(intervalSeconds: $intervalSeconds)
  }
`);

export const CaseEvents = graphql(`
  subscription WallCases($after: Int) {
    events(area: CASES, after: $after) {
      __typename
      ... on CaseEvent {
        seq
        type
        path
        at
        caseId
        number
        title
        state
        priority
      }
    }
  }
`);

export const FiguresEvents = graphql(`
  subscription WallFiguresEvents($after: Int) {
    events(area: FIGURES, after: $after) {
      __typename
      ... on FiguresEvent {
        seq
        figures {
          ...WallFigures
        }
      }
    }
  }
`);

export const GridEvents = graphql(`
  subscription WallGridEvents($after: Int) {
    events(area: GRID, after: $after) {
      __typename
      ... on GridEvent {
        seq
        type
      }
    }
  }
`);

export const DistrictOverviewQuery = graphql(`
  query DistrictWallOverview {
    districtOverview {
      district {
        name
      }
      streets {
        tenant {
          slug
          name
        }
        figures {
          ...DistrictWallFigures
        }
      }
      total {
        streets
        figures {
          ...DistrictWallFigures
        }
      }
      asOf
    }
  }
`);

export const DistrictFiguresFragment = graphql(`
  fragment DistrictWallFigures on KeyFigures {
    openCases
    overdueCases
    closedToday
    reportedToday
    closureRate30Days
    onTimeClosureRate30Days
    satisfaction30Days
    onDutyNow
    residents
    households
    partyMembers
  }
`);

export const DistrictFiguresEvents = graphql(`
  subscription DistrictWallFigures {
    districtFigures {
      seq
      tenant {
        slug
      }
    }
  }
`);

export const CaseDue = graphql(`
  query WallCaseDue($id: ID!) {
    node(id: $id) {
      __typename
      ... on Case {
        nextDue
      }
    }
  }
`);

export const GridMapQuery = graphql(`
  query WallGridMap {
    gridMap {
      level
      cells {
        path
        name
        boundary
        openCases
        overdueCases
      }
    }
  }
`);

export const OnDutyQuery = graphql(`
  query WallOnDuty {
    onDutyNow(first: 12) {
      edges {
        node {
          id
          username
          endsAt
          node {
            name
          }
          staff {
            name
          }
        }
      }
      totalCount
    }
  }
`);
