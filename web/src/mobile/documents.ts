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
