using System.Text.Json;
using System.Text.Json.Serialization;
using Poddle.Cli.Commands.Accounts;
using Poddle.Cli.Commands.Curriculum;
using Poddle.Cli.Commands.Fleet;
using Poddle.Cli.Commands.Hosting;

namespace Poddle.Cli.Configuration;

/// <summary>Source-generated JSON for the CLI's own documents (its config file and its --json results).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(CliConfig))]
[JsonSerializable(typeof(LoginResult))]
[JsonSerializable(typeof(LogoutResult))]
[JsonSerializable(typeof(TerminatedPod))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(ProblemWithTests))]
[JsonSerializable(typeof(ProgressView))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
