/**
 * What every view of /m/ shares: the API client, the caller (me), his tabs and the outbox of
 * mutations waiting for the network. main.ts provides it; a view takes it with useSession().
 */
import { inject, type InjectionKey } from "vue";

import type { Api } from "../api";
import type { MobileMeQuery } from "../gql/graphql";
import type { Outbox } from "./outbox";
import type { Tab } from "./tabs";

export type Me = MobileMeQuery["me"];

export interface Session {
  api: Api;
  me: Me;
  tabs: Tab[];
  outbox: Outbox;
  logout: () => void;
}

export const SESSION: InjectionKey<Session> = Symbol("session");

export function useSession(): Session {
  const session = inject(SESSION);
  if (!session) throw new Error("no session: main.ts provides it");
  return session;
}

export function hasRole(me: Me, ...roles: Me["roles"]): boolean {
  return me.roles.some((role) => roles.includes(role));
}
