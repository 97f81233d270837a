using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Poddle.Cli.Deployments;

namespace Poddle.Cli.Tests.Deployments;

public sealed class SourcePackerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("poddle-pack-").FullName;

    [Fact]
    public void Pack_RoundTripsContentModesAndOrderThroughTarReader()
    {
        Write("app.py", "print('hi')\n");
        Write("lib/util.py", "X = 1\n");
        Write("lib/data/names.txt", "ada\ngrace\n");
        Write("run.sh", "#!/bin/sh\nexec python3 app.py\n");
        Assert.False(OperatingSystem.IsWindows());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_root, "run.sh"), (UnixFileMode)0b111_101_101);
        }

        Directory.CreateDirectory(Path.Combine(_root, "empty"));

        var entries = Unpack(Pack(out var result));

        Assert.Equal(["app.py", "empty/", "lib/", "lib/data/", "lib/data/names.txt", "lib/util.py", "run.sh"], entries.Select(e => e.Name));
        Assert.Equal(4, result.Files);
        Assert.Equal("print('hi')\n", entries.Single(e => e.Name == "app.py").Text);
        Assert.Equal("ada\ngrace\n", entries.Single(e => e.Name == "lib/data/names.txt").Text);
        Assert.Equal((UnixFileMode)0b111_101_101, entries.Single(e => e.Name == "run.sh").Mode);
        Assert.Equal((UnixFileMode)0b110_100_100, entries.Single(e => e.Name == "app.py").Mode);
        Assert.Equal(TarEntryType.Directory, entries.Single(e => e.Name == "empty/").Type);
        Assert.All(entries, e => Assert.Equal(SourcePacker.EntryTime, e.ModificationTime));
    }

    [Fact]
    public void Pack_SkipsGitNodeModulesPycacheAndPoddleIgnorePatterns()
    {
        Write("app.py", "x");
        Write(".git/HEAD", "ref: main");
        Write("web/node_modules/left-pad/index.js", "x");
        Write("pkg/__pycache__/a.cpython-311.pyc", "x");
        Write("debug.log", "x");
        Write("logs/deep/trace.log", "x");
        Write("build/out.bin", "x");
        Write("src/build", "a file named build is not a directory");
        Write("secret.txt", "x");
        Write("docs/secret.txt", "kept: the pattern is anchored");
        Write("docs/a/b/c.tmp", "x");
        Write("docs/keep.md", "x");
        Write(".poddleignore", "# comments and blank lines are fine\n\n*.log\nbuild/\n/secret.txt\ndocs/**/*.tmp\n");

        var names = Unpack(Pack(out _)).Select(e => e.Name).ToList();

        Assert.Equal(
            [".poddleignore", "app.py", "docs/", "docs/a/", "docs/a/b/", "docs/keep.md", "docs/secret.txt", "logs/", "logs/deep/", "pkg/", "src/", "src/build", "web/"],
            names);
    }

    [Fact]
    public void Pack_IsDeterministic()
    {
        Write("b.txt", "b");
        Write("a/z.txt", "z");
        var first = Pack(out _);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "b.txt"), DateTime.UtcNow.AddDays(-3));

        var second = Pack(out _);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Pack_KeepsALinkInsideAsARelativeLink()
    {
        Write("config/real.toml", "x = 1");
        File.CreateSymbolicLink(Path.Combine(_root, "current.toml"), Path.Combine(_root, "config", "real.toml"));

        var link = Unpack(Pack(out _)).Single(e => e.Name == "current.toml");

        Assert.Equal(TarEntryType.SymbolicLink, link.Type);
        Assert.Equal("config/real.toml", link.LinkName);
    }

    [Fact]
    public void Pack_RefusesALinkPointingOutside()
    {
        Write("app.py", "x");
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.CreateSymbolicLink(Path.Combine(_root, "sub", "up"), "../..");

        var ex = Assert.Throws<CliException>(() => Pack(out _));

        Assert.Contains("'passwd' is a symbolic link to '/etc/passwd'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".poddleignore", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_AnIgnoredOutsideLinkIsFine()
    {
        Write("app.py", "x");
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");
        Write(".poddleignore", "passwd\n");

        Assert.DoesNotContain("passwd", Unpack(Pack(out _)).Select(e => e.Name));
    }

    [Fact]
    public void IgnoreRules_GlobSemantics()
    {
        var rules = new SourcePacker.IgnoreRules(["*.pyc", "/dist", "cache/", "a/**/z", "?.tmp"]);

        Assert.True(rules.IsIgnored("x.pyc", false));
        Assert.True(rules.IsIgnored("deep/er/x.pyc", false));
        Assert.True(rules.IsIgnored("dist", true));
        Assert.False(rules.IsIgnored("src/dist", true));
        Assert.True(rules.IsIgnored("src/cache", true));
        Assert.False(rules.IsIgnored("src/cache", false));
        Assert.True(rules.IsIgnored("a/z", false));
        Assert.True(rules.IsIgnored("a/b/c/z", false));
        Assert.True(rules.IsIgnored("q.tmp", false));
        Assert.False(rules.IsIgnored("qq.tmp", false));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private byte[] Pack(out SourcePacker.PackResult result)
    {
        using var buffer = new MemoryStream();
        result = SourcePacker.Pack(_root, buffer);
        return buffer.ToArray();
    }

    private static List<(string Name, TarEntryType Type, UnixFileMode Mode, DateTimeOffset ModificationTime, string? LinkName, string? Text)> Unpack(byte[] tarGz)
    {
        var entries = new List<(string, TarEntryType, UnixFileMode, DateTimeOffset, string?, string?)>();
        using var gzip = new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            string? text = null;
            if (entry.DataStream is { } data)
            {
                using var copy = new StreamReader(data, Encoding.UTF8);
                text = copy.ReadToEnd();
            }

            entries.Add((entry.Name, entry.EntryType, entry.Mode, entry.ModificationTime, string.IsNullOrEmpty(entry.LinkName) ? null : entry.LinkName, text));
        }

        return entries;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
