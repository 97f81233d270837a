using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>
/// Typed client for the Poddle API: one method per endpoint, the wire format from <see cref="PoddleJsonContext"/>.
/// Error answers become <see cref="PoddleApiException"/>; no answer at all becomes <see cref="PoddleConnectionException"/>.
/// The client does not own <paramref name="http"/>; several clients (with different tokens) may share one.
/// </summary>
/// <param name="http">An HttpClient whose BaseAddress is the server's root URL.</param>
/// <param name="token">A JWT access token or an API token ("pdl_..."), sent as a bearer token; null for anonymous calls.</param>
public sealed partial class PoddleClient(HttpClient http, string? token = null)
{
    public const string RequestIdHeader = "X-Request-ID";

    private readonly HttpClient _http = http;
    private readonly string? _token = token;

    /// <summary>The server's root URL.</summary>
    public Uri BaseAddress => _http.BaseAddress ?? throw new InvalidOperationException("The HttpClient has no BaseAddress.");

    /// <summary>Makes an HttpClient for <paramref name="server"/> (a root URL); the caller disposes it.</summary>
    public static HttpClient CreateHttpClient(Uri server, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var root = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.BaseAddress = root;
        client.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("poddle-client", typeof(PoddleClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
        return client;
    }

    /// <summary>A client for the same server that sends <paramref name="bearerToken"/>.</summary>
    public PoddleClient WithToken(string? bearerToken) => new(_http, bearerToken);

    // Auth
    public Task<UserResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/register", request, PoddleJsonContext.Default.RegisterRequest, PoddleJsonContext.Default.UserResponse, cancellationToken);

    /// <summary>Signs in with a password; an account with two-factor sign-in throws <see cref="TwoFactorRequiredCode"/> (use <see cref="SignInAsync"/>).</summary>
    public async Task<TokenResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken = default) =>
        (await SignInAsync(request, cancellationToken)).Tokens
        ?? throw new PoddleApiException(202, TwoFactorRequiredCode, "Two-factor sign-in", "This account has two-factor sign-in; finish with a code (SignInAsync, CompleteTwoFactorSignInAsync).");

    public Task<TokenResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/refresh", request, PoddleJsonContext.Default.RefreshRequest, PoddleJsonContext.Default.TokenResponse, cancellationToken);

    /// <summary>Ends the session of the JWT this client carries.</summary>
    public Task LogoutAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/logout", new LogoutRequest(), PoddleJsonContext.Default.LogoutRequest, cancellationToken);

    public Task<UserResponse> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/auth/me", PoddleJsonContext.Default.UserResponse, cancellationToken);

    // Users
    public Task<UserResponse> UpdateMeAsync(UpdateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, "api/users/me", request, PoddleJsonContext.Default.UpdateUserRequest, PoddleJsonContext.Default.UserResponse, cancellationToken);

    public Task<IReadOnlyList<SessionResponse>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/users/me/sessions", PoddleJsonContext.Default.IReadOnlyListSessionResponse, cancellationToken);

    public Task RevokeSessionAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/users/me/sessions/{id}", cancellationToken);

    // API tokens
    public Task<CreatedApiTokenResponse> CreateTokenAsync(CreateApiTokenRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/tokens", request, PoddleJsonContext.Default.CreateApiTokenRequest, PoddleJsonContext.Default.CreatedApiTokenResponse, cancellationToken);

    public Task<IReadOnlyList<ApiTokenResponse>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/tokens", PoddleJsonContext.Default.IReadOnlyListApiTokenResponse, cancellationToken);

    public Task RevokeTokenAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/tokens/{id}", cancellationToken);

    // Projects
    public Task<ProjectResponse> CreateProjectAsync(CreateProjectRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/projects", request, PoddleJsonContext.Default.CreateProjectRequest, PoddleJsonContext.Default.ProjectResponse, cancellationToken);

    public Task<IReadOnlyList<ProjectResponse>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/projects", PoddleJsonContext.Default.IReadOnlyListProjectResponse, cancellationToken);

    public Task<ProjectResponse> GetProjectAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/projects/{id}", PoddleJsonContext.Default.ProjectResponse, cancellationToken);

    public Task<ProjectResponse> UpdateProjectAsync(Guid id, UpdateProjectRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"api/projects/{id}", request, PoddleJsonContext.Default.UpdateProjectRequest, PoddleJsonContext.Default.ProjectResponse, cancellationToken);

    public Task DeleteProjectAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/projects/{id}", cancellationToken);

    // Executions

    /// <summary>
    /// POST /api/execution/submit. With <paramref name="wait"/>, the result when the server finished within its wait
    /// bound; otherwise (or on 202) only the job id: poll <see cref="GetExecutionResultAsync"/>. With
    /// <paramref name="base64"/>, output fields are base64 of the exact bytes.
    /// </summary>
    public async Task<ExecutionSubmitResult> SubmitExecutionAsync(
        SubmitExecutionRequest request, bool wait = true, bool base64 = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = $"api/execution/submit?wait={(wait ? "true" : "false")}&encoding={(base64 ? "base64" : "utf-8")}";
        using var message = CreateRequest(HttpMethod.Post, path);
        message.Content = JsonContent.Create(request, PoddleJsonContext.Default.SubmitExecutionRequest);
        var response = await SendCoreAsync(message, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Accepted)
        {
            var queued = await ReadAsync(response, PoddleJsonContext.Default.ExecutionSubmittedResponse, cancellationToken);
            return new ExecutionSubmitResult(queued.JobId, null);
        }

        var result = await ReadAsync(response, PoddleJsonContext.Default.ExecutionResultResponse, cancellationToken);
        return new ExecutionSubmitResult(result.JobId, result);
    }

    /// <summary>GET /api/execution/result/{id}: the status and, once done, the result of one of your executions.</summary>
    public Task<ExecutionResultResponse> GetExecutionResultAsync(Guid jobId, bool base64 = true, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/execution/result/{jobId}?encoding={(base64 ? "base64" : "utf-8")}", PoddleJsonContext.Default.ExecutionResultResponse, cancellationToken);

    /// <summary>GET /api/execution/runtimes: the languages the server runs.</summary>
    public Task<IReadOnlyList<RuntimeResponse>> GetRuntimesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/execution/runtimes", PoddleJsonContext.Default.IReadOnlyListRuntimeResponse, cancellationToken);

    // Plumbing
    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path);
        request.Content = JsonContent.Create(body, requestType);
        return await ReadAsync(await SendCoreAsync(request, cancellationToken), responseType, cancellationToken);
    }

    private async Task SendAsync<TRequest>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path);
        request.Content = JsonContent.Create(body, requestType);
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path);
        return await ReadAsync(await SendCoreAsync(request, cancellationToken), responseType, cancellationToken);
    }

    private async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path);
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            throw new PoddleConnectionException(BaseAddress, DescribeConnectionFailure(ex), ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation the caller did not ask for.
            throw new PoddleConnectionException(BaseAddress, $"no answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (response)
        {
            await EnsureSuccessAsync(response, cancellationToken);
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken)
                    ?? throw new PoddleApiException((int)response.StatusCode, "empty-response", "Empty response", "The server answered with an empty body.", null, RequestIdOf(response));
            }
            catch (JsonException ex)
            {
                throw new PoddleApiException(
                    (int)response.StatusCode, "invalid-response", "Invalid response", $"The server's answer is not the expected JSON: {ex.Message}", null, RequestIdOf(response));
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        ProblemResponse? problem = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > 0)
            {
                problem = JsonSerializer.Deserialize(body, PoddleJsonContext.Default.ProblemResponse);
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page, say): fall back to the status alone.
        }

        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        throw new PoddleApiException(
            status,
            problem?.Code ?? "http-" + status.ToString(CultureInfo.InvariantCulture),
            problem?.Title ?? response.ReasonPhrase,
            problem?.Detail,
            problem?.Errors,
            problem?.RequestId ?? RequestIdOf(response),
            retryAfter);
    }

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RequestIdHeader, out var values) ? values.FirstOrDefault() : null;

    private static string DescribeConnectionFailure(HttpRequestException ex) =>
        ex.InnerException is SocketException socket
            ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
                SocketError.TimedOut => "connection timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => socket.Message,
            }
            : ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "unknown host",
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                _ => ex.Message,
            };
}
