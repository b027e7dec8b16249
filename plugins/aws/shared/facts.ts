/**
 * The facts the AWS plugin records on the targets it launches or selects.
 * Domain source: EC2 `DescribeInstanceTypes` (`PhcSupport`), `DescribeInstances`
 * (instance state).
 * @module
 */

/** `PhcSupport` of an instance type; `unknown` when `DescribeInstanceTypes` omits the key. */
export type PhcSupport = "supported" | "unsupported" | "unknown";

declare module "../../api.ts" {
  /** AWS facts of a target. */
  interface TargetFacts {
    /**
     * `PhcSupport` of the instance type from `DescribeInstanceTypes`
     * (`supported` | `unsupported`; `unknown` when the key is absent), written
     * by `launch`. `verify` reports `unsupported` hardware from it.
     */
    phcSupport?: PhcSupport;
    /** EC2 instance state as `launch` last saw it (`pending`, `running`, ...). */
    launchState?: string;
    /**
     * Instance profile `launch` attached (`iam_instance_profile`, name or ARN),
     * named when the SSM agent does not register.
     */
    instanceProfile?: string;
    /**
     * SSH login user of the AMI `launch` booted (its cloud-init default user,
     * told from the image by `plugins/aws/launch/image-login-user.ts`), and the
     * image family it was told from. `connect` uses it when no `user` is given.
     */
    loginUser?: { user: string; family: string; known: boolean };
  }
}
