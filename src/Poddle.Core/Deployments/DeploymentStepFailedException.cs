namespace Poddle.Core.Deployments;

/// <summary>A converge step failed for a reason the queue should retry (driver down, no resources); the message is the reason.</summary>
public sealed class DeploymentStepFailedException : Exception
{
    public DeploymentStepFailedException()
    {
    }

    public DeploymentStepFailedException(string message)
        : base(message)
    {
    }

    public DeploymentStepFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
