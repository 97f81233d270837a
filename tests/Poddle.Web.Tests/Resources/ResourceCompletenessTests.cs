using System.Xml.Linq;

namespace Poddle.Web.Tests.Resources;

/// <summary>
/// Every resource set of the web app (src/Poddle.Web/Resources/*.resx, whoever wrote it) speaks all three languages:
/// the Russian and Uzbek (Latin) files exist and have exactly the neutral file's keys, none of them empty.
/// </summary>
public sealed class ResourceCompletenessTests
{
    private static readonly string[] Cultures = ["ru", "uz-Latn"];

    public static TheoryData<string> NeutralFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ResourcesDirectory(), "*.resx").Where(f => Path.GetFileNameWithoutExtension(f).IndexOf('.', StringComparison.Ordinal) < 0).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void ResourcesFolder_HasTheShellsSets()
    {
        var names = Directory.EnumerateFiles(ResourcesDirectory(), "*.resx").Select(Path.GetFileName).ToList();

        Assert.Contains("ShellText.resx", names);
        Assert.Contains("AccountText.resx", names);
    }

    [Theory]
    [MemberData(nameof(NeutralFiles))]
    public void EveryLanguage_HasExactlyTheNeutralKeys_NoneEmpty(string neutralFile)
    {
        var neutral = Read(Path.Combine(ResourcesDirectory(), neutralFile));
        Assert.All(neutral, entry => Assert.False(string.IsNullOrWhiteSpace(entry.Value), $"{neutralFile}: '{entry.Key}' is empty."));
        foreach (var culture in Cultures)
        {
            var path = Path.Combine(ResourcesDirectory(), $"{Path.GetFileNameWithoutExtension(neutralFile)}.{culture}.resx");
            Assert.True(File.Exists(path), $"{Path.GetFileName(path)} is missing.");
            var translated = Read(path);

            Assert.Equal(neutral.Keys.Order(StringComparer.Ordinal), translated.Keys.Order(StringComparer.Ordinal));
            Assert.All(translated, entry => Assert.False(string.IsNullOrWhiteSpace(entry.Value), $"{Path.GetFileName(path)}: '{entry.Key}' is empty."));
        }
    }

    private static Dictionary<string, string> Read(string path) =>
        XDocument.Load(path).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? string.Empty, StringComparer.Ordinal);

    private static string ResourcesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Poddle.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Poddle.Web", "Resources");
            }
        }

        throw new DirectoryNotFoundException("Poddle.slnx not found above the test's directory.");
    }
}
