namespace Poddle.Contracts;

/// <summary>The RFC 9457 problem document as the client reads it.</summary>
public sealed record ProblemResponse(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Instance,
    string? Code,
    string? RequestId,
    IReadOnlyDictionary<string, string[]>? Errors);
