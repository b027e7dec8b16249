/**
 * The mixed fleet the end-to-end runs launch, and the verdict each target
 * gets whatever the transport (SSH or SSM), as `sim/profiles/default.yaml`
 * makes them.
 * @module
 */

/** c7i.large x2 and r7g.large (arm64) are supported, t3.micro is not, m7a.large needs a driver build, c8i.large has no PhcSupport key. */
export const MIXED_FLEET = "c7i.large:2,r7g.large,t3.micro,m7a.large,c8i.large";
/** Verdict per target id, as `sim/profiles/default.yaml` makes them. */
export const EXPECTED_VERDICTS: Record<string, string> = {
  "c7i.large-1": "functional",
  "c7i.large-2": "functional",
  "r7g.large-1": "functional",
  "t3.micro-1": "unsupported",
  "m7a.large-1": "functional",
  "c8i.large-1": "functional",
};
