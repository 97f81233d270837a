using System.Text.Json;
using System.Text.Json.Serialization;
using Poddle.Core.Curriculum.Grading;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>
/// A <see cref="GradingResult"/> as stored in <see cref="Submission.ResultJson"/>. The grader already made hidden cases
/// empty of everything but index, passed and verdict, so nothing of them is stored either.
/// </summary>
public static class StoredGradingResult
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The result as JSON.</summary>
    public static string ToJson(GradingResult result) => JsonSerializer.Serialize(result, Json);

    /// <summary>The stored result; null when none is stored.</summary>
    public static GradingResult? FromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<GradingResult>(json, Json);
}
