using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>Worker pools (docs/pools.md). Their jobs are RunPod's API, which RunPod's own clients speak.</summary>
public sealed partial class PoddleClient
{
    /// <summary>POST /api/pools → 201 with the pool.</summary>
    public Task<PoolResponse> CreatePoolAsync(CreatePoolRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/pools", request, PoddleJsonContext.Default.CreatePoolRequest, PoddleJsonContext.Default.PoolResponse, cancellationToken);

    /// <summary>GET /api/pools.</summary>
    public Task<IReadOnlyList<PoolResponse>> ListPoolsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/pools", PoddleJsonContext.Default.IReadOnlyListPoolResponse, cancellationToken);

    /// <summary>GET /api/pools/{id}.</summary>
    public Task<PoolResponse> GetPoolAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/pools/{id}", PoddleJsonContext.Default.PoolResponse, cancellationToken);

    /// <summary>PATCH /api/pools/{id}: env and secrets merge; a null value removes a key.</summary>
    public Task<PoolResponse> UpdatePoolAsync(Guid id, UpdatePoolRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"api/pools/{id}", request, PoddleJsonContext.Default.UpdatePoolRequest, PoddleJsonContext.Default.PoolResponse, cancellationToken);

    /// <summary>POST /api/pools/{id}/scale.</summary>
    public Task<PoolResponse> ScalePoolAsync(Guid id, ScalePoolRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/pools/{id}/scale", request, PoddleJsonContext.Default.ScalePoolRequest, PoddleJsonContext.Default.PoolResponse, cancellationToken);

    /// <summary>DELETE /api/pools/{id} (204).</summary>
    public Task DeletePoolAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/pools/{id}", cancellationToken);
}
