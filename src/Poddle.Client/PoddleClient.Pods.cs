using Poddle.Contracts;

namespace Poddle.Client;

// Operators' pods at a driver (/api/pods, admin role): `poddle pods`.
public sealed partial class PoddleClient
{
    /// <summary>GET /api/pods?driver=.</summary>
    public Task<IReadOnlyList<PodResponse>> ListPodsAsync(string driver, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/pods?driver={Uri.EscapeDataString(driver)}", PoddleJsonContext.Default.IReadOnlyListPodResponse, cancellationToken);

    /// <summary>GET /api/pods/{driver}/{id}.</summary>
    public Task<PodResponse> GetPodAsync(string driver, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, PodPath(driver, id), PoddleJsonContext.Default.PodResponse, cancellationToken);

    /// <summary>POST /api/pods.</summary>
    public Task<PodResponse> CreatePodAsync(CreatePodRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/pods", request, PoddleJsonContext.Default.CreatePodRequest, PoddleJsonContext.Default.PodResponse, cancellationToken);

    /// <summary>POST /api/pods/{driver}/{id}/start.</summary>
    public Task<PodResponse> StartPodAsync(string driver, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, PodPath(driver, id) + "/start", PoddleJsonContext.Default.PodResponse, cancellationToken);

    /// <summary>POST /api/pods/{driver}/{id}/stop.</summary>
    public Task<PodResponse> StopPodAsync(string driver, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, PodPath(driver, id) + "/stop", PoddleJsonContext.Default.PodResponse, cancellationToken);

    /// <summary>DELETE /api/pods/{driver}/{id} (204).</summary>
    public Task TerminatePodAsync(string driver, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, PodPath(driver, id), cancellationToken);

    /// <summary>GET /api/pods/account?driver=.</summary>
    public Task<PodAccountResponse> GetPodAccountAsync(string driver, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/pods/account?driver={Uri.EscapeDataString(driver)}", PoddleJsonContext.Default.PodAccountResponse, cancellationToken);

    private static string PodPath(string driver, string id) => $"api/pods/{Uri.EscapeDataString(driver)}/{Uri.EscapeDataString(id)}";
}
