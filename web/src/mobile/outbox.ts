/**
 * Every mutation a phone sends goes through the outbox: it is written to IndexedDB first, then
 * sent, so a report or a transition made without signal waits on the phone and goes out when
 * the network returns (the `online` event, a timer, the next start of the app).
 *
 * Each step carries an `Idempotency-Key` (a UUID v4 made once, when the item is queued) on
 * every try, so a step whose answer was lost on the way back is answered again by the server
 * instead of being done twice. An item is a list of steps (a report, then its photos); a later
 * step may take a value from an earlier step's answer (the new case's id).
 *
 * What the server refuses (a GraphQL error or a payload's typed errors) is not retried: the
 * item stays, marked refused, with the server's messages, until the user dismisses it.
 */
import { openDB, type IDBPDatabase } from "idb";
import { ref, type Ref } from "vue";

import { Unavailable, type Api } from "../api";
import { TypedDocumentString } from "../gql/graphql";

/** Where a variable's value comes from an earlier step's answer: data[path[0]][path[1]]… */
export interface StepRef {
  step: number;
  path: string[];
  variable: string;
}

export interface Step {
  document: string;
  variables: Record<string, unknown>;
  key: string;
  /** A multipart upload: the file in place of this variable. */
  file?: { variable: string; blob: Blob; name: string };
  refs?: StepRef[];
}

export interface UserError {
  field?: string | null;
  code: string;
  message: string;
}

export interface Item {
  id?: number;
  owner: string;
  /** What the user sees in the list of waiting items, e.g. 上报：路灯不亮. */
  label: string;
  queuedAt: string;
  steps: Step[];
  /** Answers of the steps sent so far (their `data`). */
  answers: Record<string, unknown>[];
  refused?: UserError[];
}

export type Outcome =
  | { state: "sent"; answers: Record<string, unknown>[] }
  | { state: "queued" }
  | { state: "refused"; errors: UserError[] };

/** A v4 UUID from the platform's random source (also where crypto.randomUUID is missing: plain http). */
export function uuid4(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A step with its own idempotency key. */
export function step(document: { toString(): string }, variables: Record<string, unknown>, extra: Partial<Step> = {}): Step {
  return { document: document.toString(), variables, key: uuid4(), ...extra };
}

/** The typed errors of an answer's payload(s): every top-level field's `errors`. */
export function payloadErrors(data: Record<string, unknown>): UserError[] {
  return Object.values(data).flatMap((payload) => {
    const errors = (payload as { errors?: UserError[] } | null)?.errors;
    return Array.isArray(errors) ? errors : [];
  });
}

export function resolveRef(answers: Record<string, unknown>[], ref: StepRef): unknown {
  let value: unknown = answers[ref.step];
  for (const part of ref.path) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

const STORE = "outbox";

export class Outbox {
  /** Items waiting to be sent (not refused), shown as a badge. */
  readonly waiting: Ref<number> = ref(0);
  /** Items the server refused, to be seen and dismissed. */
  readonly refused: Ref<Item[]> = ref([]);
  private readonly listeners = new Set<(item: Item) => void>();
  private flushing: Promise<void> | null = null;

  private constructor(
    private readonly api: Api,
    private readonly db: IDBPDatabase,
    private readonly owner: string,
  ) {}

  static async open(api: Api, owner: string): Promise<Outbox> {
    const db = await openDB("redgrid-m", 1, {
      upgrade(database) {
        database.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      },
    });
    const outbox = new Outbox(api, db, owner);
    await outbox.count();
    return outbox;
  }

  /** Send when the network returns, and every 30 s while something waits. */
  start(): void {
    window.addEventListener("online", () => void this.flush());
    window.setInterval(() => {
      if (this.waiting.value) void this.flush();
    }, 30_000);
    void this.flush();
  }

  /** Called with every item that was sent in full (views reload what it changed). */
  onSent(listener: (item: Item) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queue an item and try to send it now: sent, queued (no network) or refused. */
  async submit(label: string, steps: Step[]): Promise<Outcome> {
    const item: Item = { owner: this.owner, label, queuedAt: new Date().toISOString(), steps, answers: [] };
    item.id = (await this.db.add(STORE, item)) as number;
    await this.count();
    await this.flush();
    const after = (await this.db.get(STORE, item.id)) as Item | undefined;
    if (!after) return { state: "sent", answers: this.sentAnswers.get(item.id) ?? [] };
    if (after.refused) return { state: "refused", errors: after.refused };
    return { state: "queued" };
  }

  async dismiss(id: number): Promise<void> {
    await this.db.delete(STORE, id);
    await this.count();
  }

  /** Send every waiting item of this user, oldest first; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private readonly sentAnswers = new Map<number, Record<string, unknown>[]>();

  private async sendAll(): Promise<void> {
    const items = ((await this.db.getAll(STORE)) as Item[]).filter((item) => item.owner === this.owner && !item.refused);
    for (const item of items) {
      if (!(await this.send(item))) break; // no network: the rest waits too, in order
    }
    await this.count();
  }

  /** False when the network failed (try again later); true when sent or refused. */
  private async send(item: Item): Promise<boolean> {
    while (item.answers.length < item.steps.length) {
      const current = item.steps[item.answers.length]!;
      const variables = { ...current.variables };
      for (const ref of current.refs ?? []) variables[ref.variable] = resolveRef(item.answers, ref);
      const document = new TypedDocumentString<Record<string, unknown>, Record<string, unknown>>(current.document);
      const headers = { "Idempotency-Key": current.key };
      let data: Record<string, unknown>;
      try {
        data = current.file
          ? await this.api.upload(document, variables, current.file.variable, current.file.blob, current.file.name, headers)
          : await this.api.query(document, variables, headers);
      } catch (error) {
        // fetch could not reach the server, or the server could not answer now: try again later.
        if (error instanceof TypeError || error instanceof Unavailable) return false;
        item.refused = [{ code: "ERROR", message: String(error instanceof Error ? error.message : error) }];
        await this.db.put(STORE, item);
        return true;
      }
      const errors = payloadErrors(data);
      if (errors.length) {
        item.refused = errors;
        await this.db.put(STORE, item);
        return true;
      }
      item.answers.push(data);
      await this.db.put(STORE, item);
    }
    await this.db.delete(STORE, item.id!);
    this.sentAnswers.set(item.id!, item.answers);
    this.listeners.forEach((listener) => listener(item));
    return true;
  }

  private async count(): Promise<void> {
    const mine = ((await this.db.getAll(STORE)) as Item[]).filter((item) => item.owner === this.owner);
    this.waiting.value = mine.filter((item) => !item.refused).length;
    this.refused.value = mine.filter((item) => item.refused);
  }
}
