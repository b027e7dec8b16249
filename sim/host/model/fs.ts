/**
 * The virtual file system of a simulated host: static nodes kept in
 * {@link HostState.files} plus dynamic nodes (sysfs, `/dev/ptp*`) computed from
 * the machine's state on every access. Permissions follow a simple model:
 * root may change any static node; `ec2-user` (uid 1000) only its own nodes and
 * world-writable directories (`/tmp`); dynamic nodes are read-only.
 * @module
 */
import { posix } from "node:path";
import type { FsNode, HostState } from "./state.ts";

/** errno names used by the simulated file system. */
export type Errno = "ENOENT" | "EACCES" | "ENOTDIR" | "EISDIR" | "EEXIST" | "ENOTEMPTY" | "ELOOP";

/** Human text of each errno, as coreutils prints it. */
export const ERRNO_TEXT: Record<Errno, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EEXIST: "File exists",
  ENOTEMPTY: "Directory not empty",
  ELOOP: "Too many levels of symbolic links",
};

/** A file system error carrying its errno and the path as given. */
export class FsError extends Error {
  /**
   * @param code errno name
   * @param path path as the caller gave it (used in messages)
   */
  constructor(readonly code: Errno, readonly path: string) {
    super(`${path}: ${ERRNO_TEXT[code]}`);
    this.name = "FsError";
  }
  /** `No such file or directory` etc. */
  get text(): string {
    return ERRNO_TEXT[this.code];
  }
}

/** Joins `path` to `cwd` when relative and normalizes (`..`, `//`, trailing `/`). */
export function absPath(path: string, cwd: string): string {
  const p = posix.normalize(path.startsWith("/") ? path : posix.join(cwd, path));
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

/** A node with where it came from. */
export interface NodeRef {
  node: FsNode;
  /** True for computed nodes (sysfs, devices): read-only. */
  dynamic: boolean;
}

/** File system view over a host's state. */
export class HostFs {
  /**
   * @param state the host's state (its `files` map is read and changed in place)
   * @param dynamic computes the dynamic nodes by absolute path
   * @param now simulated seconds, for `mtime`
   */
  constructor(
    private readonly state: HostState,
    private readonly dynamic: () => Map<string, FsNode>,
    private readonly now: () => number,
  ) {}

  #get(path: string, dyn: Map<string, FsNode>): NodeRef | undefined {
    const d = dyn.get(path);
    if (d) return { node: d, dynamic: true };
    const s = this.state.files[path];
    return s ? { node: s, dynamic: false } : undefined;
  }

  /**
   * Resolves symlinks in every component of an absolute path.
   * @param followLast also follow a symlink in the last component
   * @throws FsError `ELOOP` after 40 links, `ENOTDIR` when a middle component is a file
   */
  resolve(path: string, followLast = true): string {
    const dyn = this.dynamic();
    let parts = path.split("/").filter(Boolean);
    let done = "";
    for (let hops = 0, i = 0; i < parts.length;) {
      const next = `${done}/${parts[i]}`;
      const ref = this.#get(next, dyn);
      const last = i === parts.length - 1;
      if (ref?.node.kind === "link" && (!last || followLast)) {
        if (++hops > 40) throw new FsError("ELOOP", path);
        const target = ref.node.target ?? "";
        const base = target.startsWith("/") ? target : posix.join(done || "/", target);
        parts = [...base.split("/").filter(Boolean), ...parts.slice(i + 1)];
        done = "";
        i = 0;
        continue;
      }
      if (ref && !last && ref.node.kind !== "dir") throw new FsError("ENOTDIR", path);
      done = next;
      i++;
    }
    return done || "/";
  }

  /** The node at `path` (symlinks followed unless `follow` is false), or undefined. */
  stat(path: string, follow = true): NodeRef | undefined {
    try {
      return this.#get(this.resolve(path, follow), this.dynamic());
    } catch {
      return undefined;
    }
  }

  /** True when something exists at `path` (symlinks followed). */
  exists(path: string): boolean {
    return this.stat(path) !== undefined;
  }

  /** Sorted names in a directory (static and dynamic). @throws FsError ENOENT/ENOTDIR */
  list(path: string): string[] {
    const real = this.resolve(path);
    const ref = this.stat(real);
    if (!ref) throw new FsError("ENOENT", path);
    if (ref.node.kind !== "dir") throw new FsError("ENOTDIR", path);
    const prefix = real === "/" ? "/" : real + "/";
    const names = new Set<string>();
    const keys = [...Object.keys(this.state.files), ...this.dynamic().keys()];
    for (const k of keys) {
      if (
        k.startsWith(prefix) && k.length > prefix.length && !k.slice(prefix.length).includes("/")
      ) {
        names.add(k.slice(prefix.length));
      }
    }
    return [...names].sort();
  }

  /**
   * Reads a file.
   * @param uid reader (0 root, 1000 ec2-user)
   * @throws FsError ENOENT, EISDIR, EACCES (non-root reading a 0600 node)
   */
  read(path: string, uid: number): string {
    const ref = this.stat(path);
    if (!ref) throw new FsError("ENOENT", path);
    if (ref.node.kind === "dir") throw new FsError("EISDIR", path);
    if (uid !== 0 && ref.node.uid !== uid && (ref.node.mode & 0o004) === 0) {
      throw new FsError("EACCES", path);
    }
    return ref.node.content ?? "";
  }

  #mayCreateIn(dir: string, uid: number, path: string): void {
    const parent = this.stat(dir);
    if (!parent) throw new FsError("ENOENT", path);
    if (parent.node.kind !== "dir") throw new FsError("ENOTDIR", path);
    if (parent.dynamic) throw new FsError("EACCES", path);
    if (uid !== 0 && parent.node.uid !== uid && (parent.node.mode & 0o002) === 0) {
      throw new FsError("EACCES", path);
    }
  }

  /**
   * Writes (or appends to) a file, creating it with mode 0644 owned by `uid`.
   * @throws FsError ENOENT (no parent), EISDIR, EACCES
   */
  write(path: string, content: string, uid: number, append = false): void {
    const real = this.resolve(path);
    const ref = this.stat(real);
    if (ref) {
      if (ref.node.kind === "dir") throw new FsError("EISDIR", path);
      if (ref.dynamic || (uid !== 0 && ref.node.uid !== uid && (ref.node.mode & 0o002) === 0)) {
        throw new FsError("EACCES", path);
      }
      if (ref.node.kind === "char") return;
      ref.node.content = append ? (ref.node.content ?? "") + content : content;
      ref.node.mtime = this.now();
      return;
    }
    this.#mayCreateIn(posix.dirname(real), uid, path);
    this.state.files[real] = { kind: "file", content, mode: 0o644, uid, mtime: this.now() };
  }

  /**
   * Creates a directory (`mkdir`, `mkdir -p` with `parents`).
   * @throws FsError EEXIST (without parents), ENOENT, EACCES
   */
  mkdir(path: string, uid: number, parents = false): void {
    const real = this.resolve(path);
    const ref = this.stat(real);
    if (ref) {
      if (parents && ref.node.kind === "dir") return;
      throw new FsError("EEXIST", path);
    }
    const parent = posix.dirname(real);
    if (parents && !this.exists(parent)) this.mkdir(parent, uid, true);
    this.#mayCreateIn(parent, uid, path);
    this.state.files[real] = { kind: "dir", mode: 0o755, uid, mtime: this.now() };
  }

  /**
   * Removes a node (`rm`, `rm -r` with `recursive`); the link itself for symlinks.
   * @throws FsError ENOENT, EISDIR (directory without recursive), EACCES
   */
  remove(path: string, uid: number, recursive = false): void {
    const real = this.resolve(path, false);
    const ref = this.stat(real, false);
    if (!ref) throw new FsError("ENOENT", path);
    if (ref.dynamic) throw new FsError("EACCES", path);
    if (ref.node.kind === "dir" && !recursive) throw new FsError("EISDIR", path);
    this.#mayCreateIn(posix.dirname(real), uid, path);
    for (const k of Object.keys(this.state.files)) {
      if (k === real || k.startsWith(real + "/")) delete this.state.files[k];
    }
  }

  /**
   * Moves a node (and, for a directory, everything under it).
   * @throws FsError ENOENT, EACCES
   */
  rename(from: string, to: string, uid: number): void {
    const src = this.resolve(from, false);
    const ref = this.stat(src, false);
    if (!ref) throw new FsError("ENOENT", from);
    if (ref.dynamic) throw new FsError("EACCES", from);
    let dst = this.resolve(to);
    if (this.stat(dst)?.node.kind === "dir") dst = posix.join(dst, posix.basename(src));
    this.#mayCreateIn(posix.dirname(src), uid, from);
    this.#mayCreateIn(posix.dirname(dst), uid, to);
    for (const k of Object.keys(this.state.files)) {
      if (k === src || k.startsWith(src + "/")) {
        this.state.files[dst + k.slice(src.length)] = this.state.files[k];
        delete this.state.files[k];
      }
    }
  }

  /** Creates a symbolic link. @throws FsError EEXIST, ENOENT, EACCES */
  symlink(target: string, path: string, uid: number): void {
    const real = this.resolve(path, false);
    if (this.stat(real, false)) throw new FsError("EEXIST", path);
    this.#mayCreateIn(posix.dirname(real), uid, path);
    this.state.files[real] = { kind: "link", target, mode: 0o777, uid, mtime: this.now() };
  }

  /** Every static path under `dir` (recursive), for `cp -r`. */
  staticTree(dir: string): string[] {
    const real = this.resolve(dir);
    return Object.keys(this.state.files).filter((k) => k === real || k.startsWith(real + "/"))
      .sort();
  }

  /** Raw static node (no copy), for `cp -r`/`chmod`. */
  staticNode(path: string): FsNode | undefined {
    return this.state.files[path];
  }

  /** Stores a static node at an absolute path (no permission check; for `cp -r`). */
  putNode(path: string, node: FsNode): void {
    this.state.files[path] = node;
  }
}
