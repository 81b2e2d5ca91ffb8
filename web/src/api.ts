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

/** The server could not answer now (HTTP 429 or 5xx): the same request may be tried again. */
export class Unavailable extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

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

  /**
   * One operation over HTTP. `headers` go along (a phone's Idempotency-Key). Without a network
   * fetch rejects with a TypeError, which is passed on as it is: callers may queue and retry.
   */
  async query<R, V>(document: TypedDocumentString<R, V>, variables?: V, headers: Record<string, string> = {}): Promise<R> {
    return this.send<R>(
      { "Content-Type": "application/json", ...headers },
      JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    );
  }

  /**
   * A mutation with one file (the GraphQL multipart request): `file` takes the place of the
   * variable named `field`.
   */
  async upload<R, V>(
    document: TypedDocumentString<R, V>,
    variables: V,
    field: string,
    file: Blob,
    filename: string,
    headers: Record<string, string> = {},
  ): Promise<R> {
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: document.toString(), variables: { ...variables, [field]: null } }));
    form.append("map", JSON.stringify({ 0: [`variables.${field}`] }));
    form.append("0", file, filename);
    return this.send<R>(headers, form);
  }

  /** The access token, for a request of the page's own (a photo served with it). */
  bearer(): string {
    return this.token();
  }

  private async send<R>(headers: Record<string, string>, body: BodyInit): Promise<R> {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { ...headers, Authorization: `Bearer ${this.token()}` },
      body,
    });
    if (response.status === 429 || response.status >= 500) throw new Unavailable(response.status);
    const answer = (await response.json()) as { data?: R; errors?: { message: string }[] };
    if (!response.ok || answer.errors?.length || !answer.data) {
      throw new Error(answer.errors?.map((e) => e.message).join("; ") || `HTTP ${response.status}`);
    }
    return answer.data;
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
