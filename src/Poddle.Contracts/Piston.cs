using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>
/// POST /api/v2/execute, Piston v2's body (snake_case). Limits: timeouts and CPU times in milliseconds, memory in
/// bytes; absent, 0 or -1 take the server's default.
/// </summary>
public sealed record PistonExecuteRequest(
    string? Language,
    string? Version,
    IReadOnlyList<PistonFileRequest?>? Files,
    string? Stdin = null,
    IReadOnlyList<string>? Args = null,
    [property: JsonPropertyName("compile_timeout")] double? CompileTimeout = null,
    [property: JsonPropertyName("run_timeout")] double? RunTimeout = null,
    [property: JsonPropertyName("compile_cpu_time")] double? CompileCpuTime = null,
    [property: JsonPropertyName("run_cpu_time")] double? RunCpuTime = null,
    [property: JsonPropertyName("compile_memory_limit")] double? CompileMemoryLimit = null,
    [property: JsonPropertyName("run_memory_limit")] double? RunMemoryLimit = null);

/// <summary>A file of a Piston request; <c>encoding</c> is utf8 (default), base64 or hex.</summary>
public sealed record PistonFileRequest(string? Name, string? Content, string? Encoding = null);

/// <summary>
/// The answer of POST /api/v2/execute. <c>compile</c> is present for compiled languages only; when compiling failed,
/// <c>run</c> repeats the compile stage (as Piston does).
/// </summary>
public sealed record PistonExecuteResponse(string Language, string Version, PistonStageResponse Run, PistonStageResponse? Compile = null);

/// <summary>
/// One stage as Piston reports it: <c>code</c>, <c>signal</c>, <c>message</c> and <c>status</c> are null when not
/// applicable (written as null, never left out). <c>status</c>: RE runtime error, SG killed by a signal, TO timeout,
/// OL stdout limit, EL stderr limit, XX internal error. Times in milliseconds, memory in bytes.
/// </summary>
public sealed record PistonStageResponse(
    string Stdout,
    string Stderr,
    string Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Signal,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Status,
    [property: JsonPropertyName("cpu_time"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? CpuTime,
    [property: JsonPropertyName("wall_time"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? WallTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Memory);

/// <summary>GET /api/v2/runtimes: one entry per language (Piston's <c>runtime</c> field is absent: no language here is provided by another's package).</summary>
public sealed record PistonRuntimeResponse(string Language, string Version, IReadOnlyList<string> Aliases, string? Runtime = null);

/// <summary>
/// An error of the Piston API: an RFC 9457 problem (application/problem+json) that also carries Piston's
/// <c>message</c>, so Piston clients and problem-aware clients both read it.
/// </summary>
public sealed record PistonErrorResponse(
    string Type,
    string Title,
    int Status,
    string Detail,
    string Code,
    string Message,
    string? Instance = null,
    string? RequestId = null,
    IReadOnlyDictionary<string, string[]>? Errors = null);
