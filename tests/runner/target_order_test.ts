import assert from "node:assert/strict";
import { inInputOrder, typeOrderOf } from "../../runner/target-order.ts";

const t = (id: string, instanceType?: string) => ({ id, instanceType });

Deno.test("inInputOrder sorts targets by the instance_types input, then by number", () => {
  const created = [
    t("t3.micro-1", "t3.micro"),
    t("r7g.large-1", "r7g.large"),
    t("c7i.large-2", "c7i.large"),
    t("c7i.large-10", "c7i.large"),
    t("c7i.large-1", "c7i.large"),
  ];
  const ordered = inInputOrder(created, ["c7i.large:3", "r7g.large", "t3.micro"]);
  assert.deepEqual(ordered.map((x) => x.id), [
    "c7i.large-1",
    "c7i.large-2",
    "c7i.large-10",
    "r7g.large-1",
    "t3.micro-1",
  ]);
});

Deno.test("inInputOrder keeps creation order for targets whose type is not listed", () => {
  const created = [t("host-2"), t("c7i.large-1", "c7i.large"), t("host-1"), t("x-1", "m9.large")];
  assert.deepEqual(inInputOrder(created, ["c7i.large"]).map((x) => x.id), [
    "c7i.large-1",
    "host-2",
    "host-1",
    "x-1",
  ]);
  assert.deepEqual(inInputOrder(created, []).map((x) => x.id), created.map((x) => x.id));
});

Deno.test("typeOrderOf keeps the strings of an array input and nothing else", () => {
  assert.deepEqual(typeOrderOf(["a:2", 3, "b"]), ["a:2", "b"]);
  assert.deepEqual(typeOrderOf(undefined), []);
  assert.deepEqual(typeOrderOf("c7i.large"), []);
});
