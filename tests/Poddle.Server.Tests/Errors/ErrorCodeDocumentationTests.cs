using System.Reflection;
using System.Text.RegularExpressions;
using Poddle.Core.Common;
using Poddle.Server.Errors;

namespace Poddle.Server.Tests.Errors;

/// <summary>
/// The error codes are constants in <c>XxxErrorCodes</c> classes; clients branch on them, so each one must be
/// documented in docs/api.md, kebab-case, and used by one class only.
/// </summary>
public sealed partial class ErrorCodeDocumentationTests
{
    public static TheoryData<string, string> Codes()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, value) in AllCodes())
        {
            data.Add(name, value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void ApiDoc_EveryErrorCodeConstant_IsListed(string constant, string code)
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));

        Assert.True(doc.Contains("`" + code + "`", StringComparison.Ordinal), $"docs/api.md does not list {constant} (`{code}`).");
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void ErrorCode_EveryConstant_IsKebabCase(string constant, string code)
    {
        // The legacy values are the pre-kebab-case codes kept for one release on purpose.
        if (constant.Contains(".Legacy", StringComparison.Ordinal))
        {
            return;
        }

        Assert.True(KebabCase().IsMatch(code), $"{constant} = \"{code}\" is not kebab-case.");
    }

    [Fact]
    public void ErrorCodes_AcrossFeatures_AreUnique()
    {
        var duplicates = AllCodes().GroupBy(c => c.Value, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => string.Join(" = ", g.Select(c => c.Name)))
            .ToList();

        Assert.Empty(duplicates);
    }

    [Fact]
    public void ErrorCodes_Found_IncludeEveryAssembly()
    {
        var classes = AllCodes().Select(c => c.Name.Split('.')[0]).Distinct(StringComparer.Ordinal).ToList();

        Assert.Contains(nameof(ErrorCodes), classes);
        Assert.Contains(nameof(HttpErrorCodes), classes);
        Assert.Contains("AccountErrorCodes", classes);
        Assert.Contains("ProxyErrorCodes", classes);
    }

    private static IEnumerable<(string Name, string Value)> AllCodes() =>
        new[] { typeof(ErrorCodes).Assembly, typeof(HttpErrorCodes).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsAbstract && t.IsSealed && t.Name.EndsWith("ErrorCodes", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string) && !f.Name.EndsWith("Extension", StringComparison.Ordinal))
                .Select(f => (t.Name + "." + f.Name, (string)f.GetRawConstantValue()!)))
            .OrderBy(c => c.Item1, StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Poddle.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Poddle.slnx) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
