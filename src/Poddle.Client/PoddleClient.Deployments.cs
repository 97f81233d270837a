using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>Deployments, their revisions, events, logs, metrics, custom domains, and source bundles.</summary>
public sealed partial class PoddleClient
{
    /// <summary>The SSE event type of a log line on /logs/stream.</summary>
    public const string LogEventType = "log";

    /// <summary>POST /api/projects/{projectId}/deployments → 202 with the deployment (status pending).</summary>
    public Task<DeploymentResponse> CreateDeploymentAsync(Guid projectId, CreateDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/projects/{projectId}/deployments", request, PoddleJsonContext.Default.CreateDeploymentRequest, PoddleJsonContext.Default.DeploymentResponse, cancellationToken);

    /// <summary>GET /api/projects/{projectId}/deployments.</summary>
    public Task<IReadOnlyList<DeploymentResponse>> ListDeploymentsAsync(Guid projectId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/projects/{projectId}/deployments", PoddleJsonContext.Default.IReadOnlyListDeploymentResponse, cancellationToken);

    /// <summary>GET /api/deployments/{id}.</summary>
    public Task<DeploymentResponse> GetDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/deployments/{id}", PoddleJsonContext.Default.DeploymentResponse, cancellationToken);

    /// <summary>PATCH /api/deployments/{id}: a rolling update to a new revision (202). Env and secrets merge; a null value removes a key.</summary>
    public Task<DeploymentResponse> UpdateDeploymentAsync(Guid id, UpdateDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendForDeploymentAsync(HttpMethod.Patch, id, $"api/deployments/{id}", JsonContent.Create(request, PoddleJsonContext.Default.UpdateDeploymentRequest), cancellationToken);

    /// <summary>DELETE /api/deployments/{id} (202): the server stops and removes everything in the background.</summary>
    public Task DeleteDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/deployments/{id}", cancellationToken);

    /// <summary>GET /api/deployments/{id}/revisions.</summary>
    public Task<IReadOnlyList<RevisionResponse>> ListRevisionsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/deployments/{id}/revisions", PoddleJsonContext.Default.IReadOnlyListRevisionResponse, cancellationToken);

    /// <summary>POST /api/deployments/{id}/rollback (202): to <see cref="RollbackDeploymentRequest.Revision"/>, the previous one when null.</summary>
    public Task<DeploymentResponse> RollbackDeploymentAsync(Guid id, RollbackDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendForDeploymentAsync(HttpMethod.Post, id, $"api/deployments/{id}/rollback", JsonContent.Create(request, PoddleJsonContext.Default.RollbackDeploymentRequest), cancellationToken);

    /// <summary>PATCH /api/deployments/{id}/scale (202).</summary>
    public Task<DeploymentResponse> ScaleDeploymentAsync(Guid id, ScaleDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendForDeploymentAsync(HttpMethod.Patch, id, $"api/deployments/{id}/scale", JsonContent.Create(request, PoddleJsonContext.Default.ScaleDeploymentRequest), cancellationToken);

    /// <summary>POST /api/deployments/{id}/restart (202): a rolling restart.</summary>
    public Task<DeploymentResponse> RestartDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendForDeploymentAsync(HttpMethod.Post, id, $"api/deployments/{id}/restart", null, cancellationToken);

    /// <summary>GET /api/deployments/{id}/events.</summary>
    public Task<IReadOnlyList<DeploymentEventResponse>> ListDeploymentEventsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/deployments/{id}/events", PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse, cancellationToken);

    /// <summary>GET /api/deployments/{id}/logs: the last <paramref name="tail"/> lines, those at or after <paramref name="since"/>.</summary>
    public Task<IReadOnlyList<LogLineResponse>> GetDeploymentLogsAsync(Guid id, int? tail = null, DateTimeOffset? since = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, LogsPath(id, "logs", tail, since), PoddleJsonContext.Default.IReadOnlyListLogLineResponse, cancellationToken);

    /// <summary>
    /// GET /api/deployments/{id}/logs/stream (SSE): each `log` event's data is one <see cref="LogLineResponse"/>.
    /// Other event types and comments (heartbeats) are skipped. Ends when the server ends the stream; stops with
    /// an <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<LogLineResponse> StreamLogsAsync(
        Guid id, int? tail = null, DateTimeOffset? since = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, LogsPath(id, "logs/stream", tail, since));
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await foreach (var sse in ServerSentEventReader.ReadAsync(reader, cancellationToken))
        {
            if (!string.Equals(sse.EventType, LogEventType, StringComparison.Ordinal))
            {
                continue;
            }

            LogLineResponse? line;
            try
            {
                line = JsonSerializer.Deserialize(sse.Data, PoddleJsonContext.Default.LogLineResponse);
            }
            catch (JsonException ex)
            {
                throw new PoddleApiException(
                    (int)response.StatusCode, "invalid-response", "Invalid response", $"A log event is not the expected JSON: {ex.Message}", null, RequestIdOf(response));
            }

            if (line is not null)
            {
                yield return line;
            }
        }
    }

    /// <summary>GET /api/deployments/{id}/metrics: per replica, its recent samples.</summary>
    public Task<DeploymentMetricsResponse> GetDeploymentMetricsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/deployments/{id}/metrics", PoddleJsonContext.Default.DeploymentMetricsResponse, cancellationToken);

    /// <summary>POST /api/deployments/{id}/domains: the domain and the TXT record that proves ownership.</summary>
    public Task<DomainResponse> AddDomainAsync(Guid id, AddDomainRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/deployments/{id}/domains", request, PoddleJsonContext.Default.AddDomainRequest, PoddleJsonContext.Default.DomainResponse, cancellationToken);

    /// <summary>GET /api/deployments/{id}/domains.</summary>
    public Task<IReadOnlyList<DomainResponse>> ListDomainsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/deployments/{id}/domains", PoddleJsonContext.Default.IReadOnlyListDomainResponse, cancellationToken);

    /// <summary>DELETE /api/deployments/{id}/domains/{domainId}.</summary>
    public Task RemoveDomainAsync(Guid id, Guid domainId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/deployments/{id}/domains/{domainId}", cancellationToken);

    /// <summary>POST /api/deployments/{id}/domains/{domainId}/verify: checks the TXT record now.</summary>
    public async Task<DomainResponse> VerifyDomainAsync(Guid id, Guid domainId, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Post, $"api/deployments/{id}/domains/{domainId}/verify");
        return await ReadAsync(await SendCoreAsync(request, cancellationToken), PoddleJsonContext.Default.DomainResponse, cancellationToken);
    }

    /// <summary>POST /api/projects/{projectId}/sources: uploads a tar.gz of an app's directory (Content-Type application/gzip).</summary>
    public async Task<SourceBundleResponse> UploadSourceAsync(Guid projectId, Stream tarGz, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tarGz);
        using var request = CreateRequest(HttpMethod.Post, $"api/projects/{projectId}/sources");
        var content = new StreamContent(new KeepOpenStream(tarGz));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        if (tarGz.CanSeek)
        {
            content.Headers.ContentLength = tarGz.Length - tarGz.Position;
        }

        request.Content = content;
        return await ReadAsync(await SendCoreAsync(request, cancellationToken), PoddleJsonContext.Default.SourceBundleResponse, cancellationToken);
    }

    private static string LogsPath(Guid id, string leaf, int? tail, DateTimeOffset? since)
    {
        var query = new List<string>();
        if (tail is { } t)
        {
            query.Add("tail=" + t.ToString(CultureInfo.InvariantCulture));
        }

        if (since is { } s)
        {
            query.Add("since=" + Uri.EscapeDataString(s.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
        }

        return $"api/deployments/{id}/{leaf}" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
    }

    /// <summary>Reads through to a stream it does not own: disposing the request leaves the caller's stream open.</summary>
    private sealed class KeepOpenStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A 202 answered with the deployment, or with no body (then the deployment is read back).</summary>
    private async Task<DeploymentResponse> SendForDeploymentAsync(HttpMethod method, Guid id, string path, HttpContent? body, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path);
        request.Content = body;
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return await GetDeploymentAsync(id, cancellationToken);
        }

        try
        {
            return JsonSerializer.Deserialize(text, PoddleJsonContext.Default.DeploymentResponse)
                ?? await GetDeploymentAsync(id, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new PoddleApiException(
                (int)response.StatusCode, "invalid-response", "Invalid response", $"The server's answer is not the expected JSON: {ex.Message}", null, RequestIdOf(response));
        }
    }
}
