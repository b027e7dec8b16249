/**
 * Shell-style globs as anchored regular expressions, for the places a user
 * names things by pattern (instance types in `discover`, PHC clock names in
 * the `clock` input).
 * @module
 */

/** Options of {@link globToRegExp}. */
export interface GlobOptions {
  /** Match regardless of case (instance types); default false (udev's clock_name match). */
  ignoreCase?: boolean;
}

/**
 * A glob as an anchored RegExp: `*` any run of characters, `?` one character,
 * `[abc]`/`[a-z]`/`[!a]` a character class; everything else literal.
 */
export function globToRegExp(glob: string, options: GlobOptions = {}): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const close = c === "[" ? glob.indexOf("]", i + 2) : -1;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (close > 0) {
      const body = glob.slice(i + 1, close).replace(/^!/, "^").replace(/[\\\]]/g, "\\$&");
      source += `[${body}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, options.ignoreCase ? "i" : "");
}
