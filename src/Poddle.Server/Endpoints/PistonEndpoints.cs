using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Executions;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Server.Auth;
using Poddle.Server.Errors;
using Poddle.Server.Piston;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Piston v2's API (<c>/api/v2/runtimes</c>, <c>/api/v2/execute</c>) over the execution service: the same queue,
/// limits, rate limits and backpressure as the native API, synchronous like Piston. Bodies are JSON whatever their
/// Content-Type (Piston clients send text/plain or none). Errors are problems that also carry Piston's <c>message</c>.
/// </summary>
internal static class PistonEndpoints
{
    /// <summary>The largest body read (code, stdin and base64 files, JSON-escaped).</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Submissions of the Piston API are recorded with this source.</summary>
    public const string Source = "piston";

    private const long MiB = 1024 * 1024;
    private const int MinMemoryMb = 16;

    public static IEndpointRouteBuilder MapPistonEndpoints(this IEndpointRouteBuilder app)
    {
        // Piston keeps its own limits (Execution:RateLimit, per user or per IP for anonymous use), not the API's per-request ones.
        var piston = app.MapGroup("/api/v2").WithTags("Piston").DisableRateLimiting();

        piston.MapGet("/runtimes", ListPistonRuntimes)
            .AllowAnonymous()
            .WithSummary("Piston v2: the languages this server runs");

        piston.MapPost("/execute", ExecutePiston)
            .AllowAnonymous()
            .WithMetadata(new BodySizeLimit(MaxBodyBytes))
            .Accepts<PistonExecuteRequest>("application/json", "*/*") // any Content-Type is read as JSON (the matcher would answer 415 otherwise)
            .WithSummary("Piston v2: run a program and wait for its result")
            .WithDescription("A bearer token is required unless Piston:AllowAnonymous is true (then rate-limited per client IP). Errors are problem+json bodies with Piston's 'message'.")
            // JSON results bring no response metadata of their own, so the statuses are declared here.
            .Produces<PistonExecuteResponse>()
            .Produces<PistonErrorResponse>(StatusCodes.Status400BadRequest, "application/problem+json")
            .Produces<PistonErrorResponse>(StatusCodes.Status401Unauthorized, "application/problem+json")
            .Produces<PistonErrorResponse>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")
            .Produces<PistonErrorResponse>(StatusCodes.Status429TooManyRequests, "application/problem+json")
            .Produces<PistonErrorResponse>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")
            .Produces<PistonErrorResponse>(StatusCodes.Status504GatewayTimeout, "application/problem+json");

        return app;
    }

    private static Ok<IReadOnlyList<PistonRuntimeResponse>> ListPistonRuntimes(ExecutionService service) =>
        TypedResults.Ok<IReadOnlyList<PistonRuntimeResponse>>([.. service.Runtimes.Select(r => new PistonRuntimeResponse(r.Language, r.Version, r.Aliases))]);

    private static async Task<Results<JsonHttpResult<PistonExecuteResponse>, JsonHttpResult<PistonErrorResponse>>> ExecutePiston(
        HttpContext http, ClaimsPrincipal caller, ExecutionService service, IOptions<ExecutionOptions> executionOptions,
        IOptions<PistonOptions> pistonOptions, CancellationToken ct)
    {
        Submitter submitter;
        if (caller.Identity?.IsAuthenticated == true)
        {
            submitter = Submitter.User(caller.UserId(), caller.IsInRole(Roles.Admin));
        }
        else if (http.Request.Headers.Authorization.Count > 0)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Fail(http, StatusCodes.Status401Unauthorized, HttpErrorCodes.InvalidToken, "The bearer token is not valid (expired, revoked or malformed).");
        }
        else if (pistonOptions.Value.AllowAnonymous)
        {
            submitter = Submitter.Anonymous(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }
        else
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Fail(http, StatusCodes.Status401Unauthorized, HttpErrorCodes.Unauthenticated,
                "A bearer token is required (a JWT or a pdl_ API token); anonymous Piston use is off on this server.");
        }

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Fail(http, StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"The body is larger than {MaxBodyBytes} bytes.", "body");
        }

        PistonExecuteRequest? request;
        try
        {
            request = body.Length == 0 ? null : JsonSerializer.Deserialize(body, PoddleJsonContext.Default.PistonExecuteRequest);
        }
        catch (JsonException e)
        {
            var (field, message) = JsonProblem(e);
            return BadRequest(http, field, message);
        }

        var validated = Validate(request, service, executionOptions.Value);
        if (validated.Valid is not { } valid)
        {
            return BadRequest(http, validated.Field, validated.Message);
        }

        return await RunAsync(http, valid, submitter, service, executionOptions.Value, ct);
    }

    /// <summary>Validation stops at the first problem, as Piston does (its clients read one message).</summary>
    private static Checked Invalid(string field, string message) => new(null, field, message);

    private static Checked Validate(PistonExecuteRequest? request, ExecutionService service, ExecutionOptions options)
    {
        if (request?.Language is not { Length: > 0 } language)
        {
            return Invalid("language", "language is required as a string");
        }

        // Piston requires a version; a missing one here means any ("*").
        var version = request.Version is { Length: > 0 } v ? v.Trim() : "*";
        if (request.Files is not { } files)
        {
            return Invalid("files", "files is required as an array");
        }

        var runtime = service.FindRuntime(language);
        if (runtime is null || !VersionSelector.Satisfies(runtime.Version, version))
        {
            return Invalid("language", $"{language}-{version} runtime is unknown");
        }

        var decoded = new List<(CodeFile File, bool Utf8)>();
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i]?.Content is not { } content)
            {
                return Invalid($"files[{i}].content", $"files[{i}].content is required as a string");
            }

            var encoding = files[i]!.Encoding?.ToLowerInvariant();
            byte[] bytes;
            try
            {
                bytes = encoding switch
                {
                    "base64" => Convert.FromBase64String(content),
                    "hex" => Convert.FromHexString(content),
                    _ => Encoding.UTF8.GetBytes(content), // utf8, and anything else as Piston does
                };
            }
            catch (FormatException)
            {
                return Invalid($"files[{i}].content", $"files[{i}].content is not valid {encoding}");
            }

            decoded.Add((new CodeFile(files[i]!.Name ?? "", bytes), encoding is not ("base64" or "hex")));
        }

        // The entry point is the first utf8 file, as in Piston; the others follow in order.
        var entry = decoded.FindIndex(f => f.Utf8);
        if (entry < 0)
        {
            return Invalid("files", "files must include at least one utf8 encoded file");
        }

        var ordered = new List<CodeFile> { decoded[entry].File };
        ordered.AddRange(decoded.Where((_, i) => i != entry).Select(f => f.File));

        var max = options.MaxLimits;
        var error = (string?)null;
        int? Ms(double? value, string name, int maximum) => Limit(value, name, maximum, 1, ref error);
        int? Mb(double? bytes, string name) =>
            bytes is null or 0 or -1 ? null
            : bytes < 0 ? Limit(bytes, name, 0, 1, ref error)
            : bytes > max.MemoryMb * MiB ? Limit(bytes, name, max.MemoryMb * MiB, 1, ref error)
            : bytes < MinMemoryMb * MiB ? Fail($"{name} must be at least {MinMemoryMb * MiB} bytes ({MinMemoryMb} MiB)", ref error)
            : (int)Math.Ceiling(bytes.Value / MiB);

        var run = new LimitRequest(Ms(request.RunCpuTime, "run_cpu_time", max.CpuMs), Ms(request.RunTimeout, "run_timeout", max.WallMs), Mb(request.RunMemoryLimit, "run_memory_limit"));
        var compile = new LimitRequest(Ms(request.CompileCpuTime, "compile_cpu_time", max.CpuMs), Ms(request.CompileTimeout, "compile_timeout", max.WallMs), Mb(request.CompileMemoryLimit, "compile_memory_limit"));
        if (error is not null)
        {
            return Invalid(error.Split(' ')[0], error);
        }

        // Piston ends stdin with a newline when it has none.
        var stdin = request.Stdin ?? "";
        if (!stdin.EndsWith('\n'))
        {
            stdin += "\n";
        }

        return new Checked(new ValidRequest(
            runtime,
            new ExecutionSubmission(
                runtime.Language,
                ordered,
                Encoding.UTF8.GetBytes(stdin),
                request.Args ?? [],
                run,
                compile is { CpuMs: null, WallMs: null, MemoryMb: null } || !runtime.Compiled ? null : compile,
                Source)));
    }

    /// <summary>A limit in Piston's terms: absent, 0 or -1 is the server's default; negative or above the maximum is an error.</summary>
    private static int? Limit(double? value, string name, long maximum, long minimum, ref string? error)
    {
        if (value is null or 0 or -1)
        {
            return null;
        }

        if (value < 0)
        {
            error ??= $"{name} must be non-negative";
            return null;
        }

        if (value > maximum)
        {
            error ??= $"{name} cannot exceed the configured limit of {maximum.ToString(CultureInfo.InvariantCulture)}";
            return null;
        }

        return (int)Math.Max(minimum, Math.Ceiling(value.Value));
    }

    private static int? Fail(string message, ref string? error)
    {
        error ??= message;
        return null;
    }

    private static async Task<Results<JsonHttpResult<PistonExecuteResponse>, JsonHttpResult<PistonErrorResponse>>> RunAsync(
        HttpContext http, ValidRequest valid, Submitter submitter, ExecutionService service, ExecutionOptions options, CancellationToken ct)
    {
        var submitted = await service.SubmitAsync(submitter, valid.Submission, ct);
        if (!submitted.IsSuccess)
        {
            return Fail(http, submitted.Error);
        }

        // Piston is synchronous: wait as long as the program may take (compile and run wall limits), plus the
        // native API's wait bound for the queue.
        var defaults = options.DefaultLimits;
        var runWall = valid.Submission.Limits?.WallMs ?? Math.Min(defaults.WallMs, options.MaxLimits.WallMs);
        var compileWall = valid.Runtime.Compiled ? valid.Submission.CompileLimits?.WallMs ?? runWall : 0;
        var bound = TimeSpan.FromMilliseconds(runWall + compileWall) + options.WaitTimeout;
        var done = await service.WaitAsync(submitted.Value.Id, bound, ct);
        if (done is null || done.Status is not (ExecutionStatus.Completed or ExecutionStatus.Failed))
        {
            return Fail(http, StatusCodes.Status504GatewayTimeout, PistonErrorCodes.ExecutionTimeout,
                $"The program did not finish within {Math.Ceiling(bound.TotalSeconds)} s (the queue is long or a worker was lost); try again.");
        }

        return TypedResults.Json(ToResponse(done, valid.Runtime), PoddleJsonContext.Default.PistonExecuteResponse);
    }

    /// <summary>An execution as Piston answers it: when compiling failed, <c>run</c> repeats the compile stage.</summary>
    public static PistonExecuteResponse ToResponse(Execution execution, LanguageRuntime runtime)
    {
        var stored = StoredExecutionResult.FromJson(execution.ResultJson);
        var compile = stored?.Compile is { } c ? Stage(c, stored.Message) : null;
        var run = stored?.Run is { } r
            ? Stage(r, stored.Message)
            : compile ?? new PistonStageResponse("", "", "", null, null, stored?.Message ?? "The execution failed in the host.", "XX", null, null, null);
        return new PistonExecuteResponse(execution.Language, execution.Version ?? runtime.Version, run, compile);
    }

    /// <summary>One step in Piston's terms (isolate's status codes).</summary>
    public static PistonStageResponse Stage(StepResult step, string? fallbackMessage = null)
    {
        var (status, message, signal) = step.Verdict switch
        {
            ExecutionVerdict.Ok => (null, null, step.Signal),
            ExecutionVerdict.RuntimeError or ExecutionVerdict.CompileError => step.Signal is { } killed
                ? ("SG", $"Caught fatal signal {killed}", killed)
                : ("RE", $"Exited with error status {step.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}", null),
            ExecutionVerdict.TimeLimitExceeded => ("TO", "Time limit exceeded", "SIGKILL"),
            ExecutionVerdict.MemoryLimitExceeded => ("SG", "Memory limit exceeded", step.Signal ?? "SIGKILL"),
            ExecutionVerdict.OutputLimitExceeded => step.StderrTruncated && !step.StdoutTruncated
                ? ("EL", "stderr length exceeded", "SIGKILL")
                : ("OL", "stdout length exceeded", "SIGKILL"),
            _ => ((string?)"XX", (string?)(fallbackMessage ?? "The sandbox failed in the host."), step.Signal),
        };

        return new PistonStageResponse(
            ExecutionJobHandler.Text(step.Stdout),
            ExecutionJobHandler.Text(step.Stderr),
            ExecutionJobHandler.Text(ExecutionJobHandler.Combine(step.Stdout, step.Stderr)),
            step.ExitCode,
            signal,
            step.Verdict == ExecutionVerdict.Ok ? null : step.Message ?? message,
            status,
            step.CpuMs,
            step.WallMs,
            step.MemoryKb * 1024);
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    /// <summary>Piston's messages for a field of the wrong type; a generic one otherwise.</summary>
    private static (string Field, string Message) JsonProblem(JsonException e)
    {
        var path = e.Path ?? "$";
        if (path == "$.language")
        {
            return ("language", "language is required as a string");
        }

        if (path == "$.version")
        {
            return ("version", "version is required as a string");
        }

        if (path == "$.files")
        {
            return ("files", "files is required as an array");
        }

        if (path.StartsWith("$.files[", StringComparison.Ordinal) && path.EndsWith("].content", StringComparison.Ordinal))
        {
            var field = path[2..];
            return (field, $"{field} is required as a string");
        }

        var name = path.Length > 2 ? path[2..] : "body";
        return (name, path.Length > 2 ? $"{name} has the wrong type" : "The body is not valid JSON.");
    }

    private static JsonHttpResult<PistonErrorResponse> BadRequest(HttpContext http, string field, string message) =>
        Fail(http, StatusCodes.Status400BadRequest, ErrorCodes.Validation, message, field);

    private static JsonHttpResult<PistonErrorResponse> Fail(HttpContext http, Error error)
    {
        if (error.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        // Piston clients read one message: the field messages, or the error's own.
        var message = error.Fields is { Count: > 0 } fields ? string.Join(" ", fields.Values.SelectMany(m => m)) : error.Message;
        return Write(http, Problems.StatusOf(error.Kind), error.Code, message, FieldNames.Piston.ToApi(error.Fields));
    }

    private static JsonHttpResult<PistonErrorResponse> Fail(HttpContext http, int status, string code, string message, string? field = null) =>
        Write(http, status, code, message, field is null ? null : new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    private static JsonHttpResult<PistonErrorResponse> Write(HttpContext http, int status, string code, string message, IReadOnlyDictionary<string, string[]>? errors) =>
        TypedResults.Json(
            new PistonErrorResponse(Problems.TypePrefix + code, Problems.TitleOf(status), status, message, code, message, http.Request.Path, http.TraceIdentifier, errors),
            PoddleJsonContext.Default.PistonErrorResponse,
            "application/problem+json",
            status);

    private sealed record ValidRequest(LanguageRuntime Runtime, ExecutionSubmission Submission);

    private sealed record Checked(ValidRequest? Valid, string Field = "", string Message = "");

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
