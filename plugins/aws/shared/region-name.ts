/**
 * The shape of an AWS region name, checked before anything asks AWS: the
 * same rule for `run --region`, the steps' `region` inputs, `discover` and
 * `sweep`. Light (no SDK).
 * @module
 */

/**
 * Shape of an AWS region name: two letters, one or more dash-separated
 * words, a number: `us-east-1`, `ap-southeast-7`, `us-gov-west-1`,
 * `eu-central-2`. Source: AWS General Reference, "Regions and endpoints".
 */
export const REGION_NAME: RegExp = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** What is wrong with `name` as a region name; undefined when it has the shape. */
export function regionNameProblem(name: string): string | undefined {
  return REGION_NAME.test(name) ? undefined : `"${name}" is not a region name (e.g. us-east-1)`;
}
