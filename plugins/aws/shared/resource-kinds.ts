/**
 * Kinds of the journal resources the AWS steps record (`ResourceRecord.kind`),
 * shared by launch, cleanup and the recovery commands. Light.
 * @module
 */

/** Journal resource kind of an instance. */
export const INSTANCE_RESOURCE = "ec2-instance";
/** Journal resource kind of a placement group the run created. */
export const PLACEMENT_GROUP_RESOURCE = "placement-group";
