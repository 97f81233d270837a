namespace Poddle.Drivers.RunPod.Api;

/// <summary>
/// The GraphQL documents the driver sends, with variables (never values spliced into a document, so a name or an env
/// value cannot change the query). Field and type names are RunPod's (runpod-python's api/, runpodctl's api/pod.go).
/// </summary>
internal static class RunPodQueries
{
    /// <summary>The pod fields every pod query selects.</summary>
    public const string PodFields = """
        id name imageName desiredStatus lastStatusChange costPerHr gpuCount env ports podType
        machine { gpuDisplayName location }
        runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type } gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } }
        """;

    public const string Pod = "query Pod($podId: String!) { pod(input: { podId: $podId }) { " + PodFields + " } }";

    public const string Pods = "query Pods { myself { id pods { " + PodFields + " } } }";

    public const string Account = "query Account { myself { id clientBalance currentSpendPerHr } }";

    public const string GpuTypes = """
        query GpuTypes($gpuCount: Int!) { gpuTypes { id displayName memoryInGb securePrice communityPrice lowestPrice(input: { gpuCount: $gpuCount }) { minimumBidPrice uninterruptablePrice stockStatus } } }
        """;

    public const string DeployOnDemand = "mutation Deploy($input: PodFindAndDeployOnDemandInput!) { podFindAndDeployOnDemand(input: $input) { " + PodFields + " } }";

    public const string RentInterruptable = "mutation Rent($input: PodRentInterruptableInput!) { podRentInterruptable(input: $input) { " + PodFields + " } }";

    public const string Stop = "mutation Stop($podId: String!) { podStop(input: { podId: $podId }) { id desiredStatus } }";

    public const string Resume = "mutation Resume($podId: String!, $gpuCount: Int) { podResume(input: { podId: $podId, gpuCount: $gpuCount }) { " + PodFields + " } }";

    public const string BidResume = "mutation BidResume($podId: String!, $bidPerGpu: Float!, $gpuCount: Int) { podBidResume(input: { podId: $podId, bidPerGpu: $bidPerGpu, gpuCount: $gpuCount }) { " + PodFields + " } }";

    public const string Terminate = "mutation Terminate($podId: String!) { podTerminate(input: { podId: $podId }) }";

    /// <summary>The code RunPod's errors carry when the fault is RunPod's own (worth a retry).</summary>
    public const string InternalServerError = "INTERNAL_SERVER_ERROR";
}
