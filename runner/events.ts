/**
 * The run's event bus: stamps every event with `time` and `runId`, replaces
 * secrets with `***`, and hands the event to every subscriber (console
 * renderer, JSON Lines writer, tests). No consumer ever sees a secret.
 *
 * Secrets are: values of pipeline inputs declared `secret: true`, strings
 * passed to `ctx.addSecret`, and anything shaped like a PEM/OpenSSH private key
 * block (`-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----`).
 * A secret is also masked in every form the tool itself derives from it (see
 * {@link secretForms}): shell-quoted (a remote command line), URL-encoded, and
 * JSON-escaped (a JSON document in a message, the journal's and the JSON Lines
 * text).
 * @module
 */
import { AddressNames, type RecordedAddressNames } from "./address-names.ts";
import type { RunEvent, RunEventInput } from "./types.ts";
import { mapStrings } from "./map-strings.ts";

/** Text that replaces a secret. */
export const REDACTED = "***";

/**
 * Shortest secret masked wherever it appears. A shorter one (1-2 characters)
 * is masked only where it stands alone (not next to a letter, digit or `_`):
 * masking it inside words and numbers would mangle unrelated text. `secret`
 * inputs that short are refused before a run (runner/inputs.ts).
 */
export const MIN_SECRET_LENGTH = 3;

/** A private key block, complete or truncated (up to the end of the string). */
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * The forms in which a secret can appear in what the tool writes: itself;
 * inside POSIX single quotes (`'` as `'\''`, what `shQuote` produces) and
 * double quotes (`\` `"` `$` and backtick escaped); URL-encoded
 * (`encodeURIComponent`, and `application/x-www-form-urlencoded` as
 * `URLSearchParams` writes it); and each of
 * these JSON-escaped once and twice (a JSON string inside JSON text). Source:
 * POSIX Shell Command Language 2.2.2-2.2.3 (quoting); RFC 3986 2.1; RFC 8259 7.
 */
export function secretForms(secret: string): string[] {
  const base = [
    secret,
    secret.replaceAll("'", `'\\''`),
    secret.replace(/[\\"$`]/g, (c) => `\\${c}`),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  const forms = new Set<string>();
  for (const form of base) {
    forms.add(form);
    forms.add(json(form));
    forms.add(json(json(form)));
  }
  return [...forms];
}

/** Consumer of run events. */
export type EventListener = (event: RunEvent) => void;

/**
 * Replaces secrets in strings, deeply in arrays and plain objects. Keys are
 * kept; non-string leaves are returned unchanged.
 */
export class Redactor {
  #secrets = new Set<string>();
  #sorted: string[] = [];
  /** Secrets shorter than {@link MIN_SECRET_LENGTH}, masked where they stand alone. */
  #short = new Set<string>();
  #shortPattern: RegExp | undefined;

  /**
   * Adds a secret. Non-string values are stringified; arrays add each element;
   * empty strings are ignored. Strings shorter than {@link MIN_SECRET_LENGTH}
   * characters are masked only as a whole token (see {@link MIN_SECRET_LENGTH}).
   */
  add(value: unknown): void {
    if (Array.isArray(value)) {
      for (const v of value) this.add(v);
      return;
    }
    if (value === undefined || value === null || typeof value === "object") return;
    const text = String(value);
    if (text.length === 0 || this.#secrets.has(text)) return;
    if (text.length < MIN_SECRET_LENGTH) {
      if (this.#short.has(text)) return;
      this.#short.add(text);
      const alternatives = [...this.#short]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.#shortPattern = new RegExp(
        `(?<![\\p{L}\\p{N}_])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}_])`,
        "gu",
      );
      return;
    }
    for (const form of secretForms(text)) this.#secrets.add(form);
    // Longest first, so a secret containing another is replaced whole.
    this.#sorted = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** Returns `text` with private key blocks and known secrets replaced by `***`. */
  redactText(text: string): string {
    let out = text.replace(PRIVATE_KEY_BLOCK, REDACTED);
    for (const secret of this.#sorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (this.#shortPattern) out = out.replace(this.#shortPattern, REDACTED);
    return out;
  }

  /**
   * `JSON.stringify(value)` with private key blocks and known secrets replaced
   * by `***`, done on the JSON text (secrets matched in their JSON-escaped
   * form): the same result as stringifying {@link redact}'s copy, without
   * building the copy (the journal of a large fleet is rewritten often).
   */
  redactJson(value: unknown): string {
    // A short secret can be a JSON number or punctuation: mask string values only.
    if (this.#shortPattern) return JSON.stringify(this.redact(value));
    let out = JSON.stringify(value).replace(PRIVATE_KEY_BLOCK, REDACTED);
    for (const secret of this.#sorted) {
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (out.includes(escaped)) out = out.split(escaped).join(REDACTED);
    }
    return out;
  }

  /** Returns a deep copy of `value` with every string redacted. */
  redact<T>(value: T): T {
    return mapStrings(value, (text) => this.redactText(text));
  }
}

/**
 * Event bus of one run.
 *
 * `emit` never throws: a listener that throws is reported on stderr and the
 * other listeners still get the event.
 */
export class EventBus {
  /** Run id stamped on every event. */
  readonly runId: string;
  /** The redactor applied to every event (also used for the journal). */
  readonly redactor: Redactor;
  /**
   * The run's one numbering of IP addresses (`[IPv4-1]`), shared by every
   * output that redacts addresses (console, JSON Lines, report files,
   * `--output json`, the journal's inputs). The bus itself does not apply it:
   * `--no-redact` keeps addresses in what the user sees.
   */
  readonly addresses: AddressNames;
  #listeners = new Set<EventListener>();
  #now: () => Date;

  /**
   * @param runId Run id stamped on events.
   * @param options.secrets Initial secret values (e.g. the values of `secret` inputs).
   * @param options.now Clock (injectable for tests).
   * @param options.addressNames The numbering a resumed run recorded (see {@link AddressNames}).
   */
  constructor(
    runId: string,
    options: { secrets?: unknown[]; now?: () => Date; addressNames?: RecordedAddressNames } = {},
  ) {
    this.runId = runId;
    this.redactor = new Redactor();
    this.addresses = new AddressNames({ recorded: options.addressNames });
    for (const s of options.secrets ?? []) this.redactor.add(s);
    this.#now = options.now ?? (() => new Date());
  }

  /** Marks `value` as secret for every later event. */
  addSecret(value: string): void {
    this.redactor.add(value);
  }

  /** Registers a listener; returns a function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stamps, redacts and dispatches an event; returns the event as listeners saw it. */
  emit(input: RunEventInput): RunEvent {
    const event = this.redactor.redact({
      ...input,
      time: this.#now().toISOString(),
      runId: this.runId,
    } as RunEvent);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`event listener failed: ${(error as Error)?.message ?? error}`);
      }
    }
    return event;
  }
}
