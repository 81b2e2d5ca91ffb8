/**
 * The GraphQL transport: queries over HTTP, subscriptions over one graphql-ws socket.
 *
 * Documents are typed strings generated from graphql/schema.graphql (src/gql). Every
 * subscription reconnects itself: graphql-ws' own retry would resend the first `after`, so
 * retries are ours, each with the last seq the caller saw.
 */
import { createClient, type Client } from "graphql-ws";

import { backoffMs } from "./feed";
import type { TypedDocumentString } from "./gql/graphql";

export class Api {
  readonly socket: Client;
  private readonly listeners = new Set<(up: boolean) => void>();

  constructor(private readonly token: () => string) {
    const url = new URL("/graphql", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.socket = createClient({
      url: url.href,
      lazy: true,
      retryAttempts: 0,
      connectionParams: () => ({ Authorization: `Bearer ${this.token()}` }),
      on: {
        connected: () => this.listeners.forEach((listener) => listener(true)),
        closed: () => this.listeners.forEach((listener) => listener(false)),
      },
    });
  }

  /** Called with true when the socket is (re)connected, false when it closed. */
  onSocket(listener: (up: boolean) => void): void {
    this.listeners.add(listener);
  }

  async query<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<R> {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token()}` },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
    const body = (await response.json()) as { data?: R; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(body.errors?.map((e) => e.message).join("; ") || `HTTP ${response.status}`);
    }
    return body.data;
  }

  /**
   * Keep a subscription open for good: `variables()` is asked again before every
   * (re)subscribe, so a stream passes `after` its last seq. `onError` hears GraphQL errors
   * (e.g. REPLAY_TOO_OLD) before the retry.
   */
  follow<R, V>(
    document: TypedDocumentString<R, V>,
    variables: () => V,
    onData: (data: R) => void,
    onError: (messages: string[]) => void = () => undefined,
  ): () => void {
    let stopped = false;
    let attempt = 0;
    let unsubscribe: () => void = () => undefined;
    const start = (): void => {
      if (stopped) return;
      const retry = (): void => {
        if (!stopped) window.setTimeout(start, backoffMs(attempt++));
      };
      unsubscribe = this.socket.subscribe<R>(
        { query: document.toString(), variables: variables() as Record<string, unknown> },
        {
          next: (result) => {
            attempt = 0;
            if (result.errors?.length) onError(result.errors.map((e) => e.message));
            else if (result.data) onData(result.data);
          },
          error: (error: unknown) => {
            if (Array.isArray(error)) onError(error.map((e: { message?: string }) => String(e.message)));
            retry();
          },
          complete: retry,
        },
      );
    };
    start();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }
}
