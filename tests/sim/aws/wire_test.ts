import assert from "node:assert/strict";
import { credentialScope } from "../../../sim/aws/server.ts";
import { expandQuery, filters, parseForm, strings, wildcardMatch } from "../../../sim/aws/query.ts";
import { toXml, xmlDocument } from "../../../sim/aws/xml.ts";

Deno.test("Query parameters expand numbered segments into ordered lists", () => {
  const tree = expandQuery(parseForm(
    "Action=RunInstances&SecurityGroupId.2=sg-b&SecurityGroupId.1=sg-a" +
      "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.2.Key=Name" +
      "&TagSpecification.1.Tag.1.Key=run&TagSpecification.1.Tag.1.Value=r%201" +
      "&Filter.1.Name=tag%3Arun&Filter.1.Value.1=a&Filter.1.Value.2=b",
  ));
  assert.deepEqual(strings(tree, "SecurityGroupId"), ["sg-a", "sg-b"]);
  assert.deepEqual(tree.TagSpecification, [{
    ResourceType: "instance",
    Tag: [{ Key: "run", Value: "r 1" }, { Key: "Name" }],
  }]);
  assert.deepEqual(filters(tree), [{ name: "tag:run", values: ["a", "b"] }]);
});

Deno.test("EC2 filter wildcards: * matches any run, ? one character, the rest literally", () => {
  assert.ok(wildcardMatch("c7*", "c7i.large"));
  assert.ok(wildcardMatch("c7?.large", "c7g.large"));
  assert.ok(!wildcardMatch("c7?.large", "c7gd.large"));
  assert.ok(!wildcardMatch("c7i.large", "c7iXlarge"), "the dot is literal");
});

Deno.test("XML writer escapes text, writes lists as <item> and omits undefined members", () => {
  assert.equal(
    toXml("set", [{ key: "a<b", value: undefined }, { key: "c&d", value: 1 }]),
    "<set><item><key>a&lt;b</key></item><item><key>c&amp;d</key><value>1</value></item></set>",
  );
  assert.equal(toXml("empty", []), "<empty/>");
  assert.match(
    xmlDocument("R", { ok: true }, "urn:x"),
    /^<\?xml[^>]+>\n<R xmlns="urn:x"><ok>true<\/ok><\/R>$/,
  );
});

Deno.test("the SigV4 credential scope gives the region and service", () => {
  assert.deepEqual(
    credentialScope(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=abc",
    ),
    { region: "eu-west-1", service: "ec2" },
  );
  assert.equal(credentialScope(null), undefined);
  assert.equal(credentialScope("Bearer token"), undefined);
});
