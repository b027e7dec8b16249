/**
 * Copy-paste AWS CLI commands that release what a run created, recorded in
 * the journal (`ResourceRecord.releaseCommand`) and printed for whatever
 * cleanup could not release. Pure and light.
 * @module
 */

/** `aws ec2 terminate-instances --region R --instance-ids i-... [i-...]`. */
export function terminateInstancesCommand(
  region: string | undefined,
  instanceIds: string[],
): string {
  const regionFlag = region ? ` --region ${region}` : "";
  return `aws ec2 terminate-instances${regionFlag} --instance-ids ${instanceIds.join(" ")}`;
}

/** `aws ec2 delete-placement-group --region R --group-name NAME`. */
export function deletePlacementGroupCommand(region: string | undefined, groupName: string): string {
  const regionFlag = region ? ` --region ${region}` : "";
  return `aws ec2 delete-placement-group${regionFlag} --group-name ${groupName}`;
}
