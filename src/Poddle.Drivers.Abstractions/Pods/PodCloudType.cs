namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>Which of a provider's clouds may host a pod (RunPod's cloudType: ALL, SECURE, COMMUNITY).</summary>
public enum PodCloudType
{
    /// <summary>Whichever has the machine (RunPod's ALL).</summary>
    Any,

    /// <summary>The provider's own data centres (RunPod's SECURE).</summary>
    Secure,

    /// <summary>Machines of third parties the provider vets (RunPod's COMMUNITY).</summary>
    Community,
}
