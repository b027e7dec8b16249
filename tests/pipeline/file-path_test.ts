import assert from "node:assert/strict";
import { resolve } from "node:path";
import { absolutePath } from "../../runner/pipeline/file-path.ts";

Deno.test("absolutePath gives node:path's resolve(cwd, path) on POSIX", async () => {
  const cwds = ["/work/project", "/", "/a/b/"];
  const paths = [
    "pipelines/ptp.yaml",
    "./pipelines/./ptp.yaml",
    "../other/p.yaml",
    "../../../../p.yaml",
    "a//b///c.yaml",
    "dir/",
    ".",
    "..",
    "/abs/x/../y.yaml",
    "/",
    "name with spaces #1 %20.yaml",
    "...",
    ".hidden/..x",
  ];
  for (const cwd of cwds) {
    for (const path of paths) {
      assert.equal(await absolutePath(cwd, path), resolve(cwd, path), `${cwd} + ${path}`);
    }
  }
});
