/**
 * The quick path of the CLI: `validate`, `steps` and `schema` given plain,
 * valid arguments run without loading commander, whose Node built-ins
 * (`node:fs`, `node:child_process`, `node:process`, `node:events`) cost more
 * start-up than these commands' own work.
 *
 * The arguments are parsed with `type-flag` (no Node built-ins: `node:util`'s
 * `parseArgs` alone would load Node's compatibility layer, ~12 ms) against the
 * options and arguments the command declares to commander (its `quick`
 * export next to `register`; tests/cli/quick_test.ts checks both agree). The
 * quick path takes only the plain forms, `--name value` and `--name=value`
 * for an option with a value and `--name` for a flag; anything else goes to
 * commander, which prints its usual help, version, usage errors and
 * messages: `--help`/`-h`, `--version`, an unknown option or command, a
 * missing or extra argument, a missing option value, a value starting with
 * `-`, a flag given a value, or `--`.
 * @module
 */
import { typeFlag } from "type-flag";
import * as validate from "./validate.ts";
import * as steps from "./steps.ts";
import * as schema from "./schema.ts";

/** An option as declared to commander: `--<name> <value>` (string) or `--<name>` (boolean). */
export interface QuickOption {
  type: "string" | "boolean";
  /** Repeatable (collected into a list, like `collectValues`). */
  multiple?: boolean;
  /** Commander's default value (the action sees it when the option is absent). */
  default?: string | string[];
}

/** Option values as commander hands them to an action (camel-case names). */
export type QuickValues = Record<string, string | boolean | string[] | undefined>;

/** A command that can run without commander. */
export interface QuickCommand {
  /** The subcommand name (first argument). */
  name: string;
  /** Its options by long name (without `--`), as declared to commander. */
  options: Record<string, QuickOption>;
  /** How many command-arguments it takes (commander's required and optional ones). */
  args: { min: number; max: number };
  /**
   * Does what commander's action does.
   * @param args the command-arguments, `min` to `max` of them
   * @param options the option values, defaults applied
   */
  run(args: string[], options: QuickValues): Promise<void>;
}

/** The commands of the quick path. */
export const quickCommands: QuickCommand[] = [validate.quick, steps.quick, schema.quick];

/** `--output-dir` → `outputDir`, as commander names option values. */
function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Whether every option of `argv` is in a plain form of a declared option
 * (see the module doc); positionals are not looked at.
 */
function plainOptions(argv: readonly string[], options: Record<string, QuickOption>): boolean {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("-") || token === "-") continue;
    const match = /^--([a-z][a-z0-9-]*)(=.*)?$/s.exec(token);
    const option = match ? Object.hasOwn(options, match[1]) && options[match[1]] : undefined;
    if (!match || !option) return false;
    if (option.type === "boolean") {
      if (match[2] !== undefined) return false;
    } else if (match[2] === undefined) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("-")) return false;
      i++;
    }
  }
  return true;
}

/**
 * The quick invocation of `argv`, or undefined when commander must handle it.
 * @param argv the CLI arguments (after the program name)
 * @param commands the commands that may run quickly
 * @returns a function running the command (it throws what the command's action throws)
 */
export function quickInvocation(
  argv: string[],
  commands: readonly QuickCommand[] = quickCommands,
): (() => Promise<void>) | undefined {
  const command = commands.find((c) => c.name === argv[0]);
  const rest = argv.slice(1);
  if (!command || !plainOptions(rest, command.options)) return undefined;
  const parsed = typeFlag(
    Object.fromEntries(
      Object.entries(command.options).map((
        [name, { type, multiple }],
      ) => {
        const parse = type === "boolean" ? Boolean : String;
        return [name, multiple ? [parse] : parse];
      }),
    ),
    rest,
  );
  const positionals = [...parsed._];
  if (
    Object.keys(parsed.unknownFlags).length > 0 || positionals.length < command.args.min ||
    positionals.length > command.args.max
  ) {
    return undefined;
  }
  const values = parsed.flags as Record<string, string | boolean | string[] | undefined>;
  const options: QuickValues = {};
  for (const [name, option] of Object.entries(command.options)) {
    const given = values[name];
    const value = Array.isArray(given) && given.length === 0 ? undefined : given;
    const chosen = value ?? option.default;
    if (chosen !== undefined) {
      options[camelCase(name)] = Array.isArray(chosen) ? [...chosen] : chosen;
    }
  }
  return () => command.run(positionals, options);
}
