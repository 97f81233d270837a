using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Deployments;

public sealed class SourceBundleStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "poddle-bundles-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _outside;

    public SourceBundleStoreTests()
    {
        _outside = _root + "-outside";
        Directory.CreateDirectory(_outside);
    }

    private SourceBundleStore Store => new(new SourceBundleDirectory(_root)) { MaxUnpackedBytes = 1024 * 1024 };

    public void Dispose()
    {
        foreach (var dir in new[] { _root, _outside })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SaveThenPrepare_UnpacksFilesDirsLinksAndModes()
    {
        var archive = Archive(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./src/"));
            AddFile(w, "./src/app.py", "print('hi')\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.SetUser);
            AddFile(w, "README.md", "# app\n");
            AddFile(w, "deep/er/still/file.txt", "x");
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "node_modules/.bin/tool") { LinkName = "../../src/app.py" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "current") { LinkName = "src" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "copy.md") { LinkName = "README.md" });
        });
        var id = Guid.NewGuid();

        var stored = await Store.SaveAsync(id, new MemoryStream(archive), archive.Length, CancellationToken.None);
        var directory = await Store.PrepareDirectoryAsync(id, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archive)), stored!.Sha256);
        Assert.Equal(archive.Length, stored.SizeBytes);
        Assert.True(File.Exists(Path.Combine(_root, id.ToString("N") + ".tar.gz")));
        Assert.Equal(Path.Combine(_root, id.ToString("N")), directory);
        Assert.Equal("print('hi')\n", await File.ReadAllTextAsync(Path.Combine(directory, "src/app.py")));
        Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(directory, "deep/er/still/file.txt")));
        Assert.Equal("# app\n", await File.ReadAllTextAsync(Path.Combine(directory, "copy.md")));
        Assert.Null(new FileInfo(Path.Combine(directory, "copy.md")).LinkTarget);
        Assert.Equal("../../src/app.py", new FileInfo(Path.Combine(directory, "node_modules/.bin/tool")).LinkTarget);
        Assert.Equal("print('hi')\n", await File.ReadAllTextAsync(Path.Combine(directory, "current/app.py")));
        var mode = File.GetUnixFileMode(Path.Combine(directory, "src/app.py"));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
        Assert.False(mode.HasFlag(UnixFileMode.SetUser));
        Assert.False(File.GetUnixFileMode(Path.Combine(directory, "README.md")).HasFlag(UnixFileMode.UserExecute));
    }

    public static TheoryData<string> MaliciousArchives => new()
    {
        "absolute", "dotdot", "dotdot-inner", "symlink-absolute", "symlink-up", "symlink-via-self-link", "symlink-chain-out",
        "write-through-symlink", "hardlink-absolute", "hardlink-up", "hardlink-to-symlink", "char-device", "block-device", "fifo",
        "duplicate", "file-under-file", "not-gzip", "gzip-not-tar", "truncated", "too-big-unpacked", "empty",
    };

    [Theory]
    [MemberData(nameof(MaliciousArchives))]
    public async Task Save_MaliciousArchive_IsRefusedAndLeavesNothing(string kind)
    {
        var archive = Malicious(kind);
        var id = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<InvalidSourceBundleException>(() => Store.SaveAsync(id, new MemoryStream(archive), 10 * 1024 * 1024, CancellationToken.None));

        Assert.NotEmpty(error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
        Assert.Empty(Directory.GetFileSystemEntries(_outside));
    }

    public static TheoryData<string, string> UnextractableEntries => new()
    {
        // kind, the entry the message must name (its first 100 characters)
        { "long-name", new string('n', 300) },
        { "long-name-multibyte", new string('é', 128) },
        { "long-directory", new string('d', 256) + "/app.py" },
        { "long-path", string.Join('/', Enumerable.Repeat(new string('p', 200), 25)) },
        { "deep-nesting", string.Join('/', Enumerable.Repeat("d", 200)) },
        { "symlink-long-target", "link" },
        { "symlink-long-target-component", "link" },
        { "hardlink-long-target", "copy" },
        { "directory-over-file", "a" },
        { "directory-over-dangling-symlink", "d" },
        { "sparse-file", "before.txt" },
    };

    [Theory]
    [MemberData(nameof(UnextractableEntries))]
    public async Task Save_EntryTheFileSystemCannotHold_IsRefusedNamingTheEntryAndLeavesNothing(string kind, string entry)
    {
        var archive = Unextractable(kind);

        var error = await Assert.ThrowsAsync<InvalidSourceBundleException>(() => Store.SaveAsync(Guid.NewGuid(), new MemoryStream(archive), 10 * 1024 * 1024, CancellationToken.None));

        Assert.Contains($"'{entry[..Math.Min(entry.Length, 100)]}", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 1000, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public async Task Save_LongButAcceptableNames_Unpack()
    {
        var component = new string('c', 255);
        var nested = string.Join('/', Enumerable.Repeat("n", 60)) + "/file.txt";
        var archive = Archive(w =>
        {
            AddFile(w, component, "255 bytes");
            AddFile(w, new string('é', 127), "254 bytes");
            AddFile(w, nested, "deep");
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "dir/"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "dir/"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "to-long") { LinkName = component });
        });
        var id = Guid.NewGuid();

        await Store.SaveAsync(id, new MemoryStream(archive), archive.Length, CancellationToken.None);
        var directory = await Store.PrepareDirectoryAsync(id, CancellationToken.None);

        Assert.Equal("255 bytes", await File.ReadAllTextAsync(Path.Combine(directory, component)));
        Assert.Equal("254 bytes", await File.ReadAllTextAsync(Path.Combine(directory, new string('é', 127))));
        Assert.Equal("deep", await File.ReadAllTextAsync(Path.Combine(directory, nested)));
        Assert.Equal("255 bytes", await File.ReadAllTextAsync(Path.Combine(directory, "to-long")));
    }

    [Fact]
    public async Task Prepare_TooManyEntries_IsRefused()
    {
        var archive = Archive(w =>
        {
            for (var i = 0; i <= SourceBundleStore.MaxEntries; i++)
            {
                AddFile(w, $"f{i}", "");
            }
        });

        var error = await Assert.ThrowsAsync<InvalidSourceBundleException>(() => Store.SaveAsync(Guid.NewGuid(), new MemoryStream(archive), archive.Length, CancellationToken.None));
        Assert.Contains("10000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_OverTheLimit_ReturnsNullAndKeepsNothing()
    {
        var archive = Archive(w => AddFile(w, "big.bin", Convert.ToBase64String(RandomNumberGenerator.GetBytes(8000))));

        var stored = await Store.SaveAsync(Guid.NewGuid(), new MemoryStream(archive), archive.Length - 1, CancellationToken.None);

        Assert.Null(stored);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public async Task Prepare_ConcurrentCalls_AllGetTheSameCompleteDirectory()
    {
        var archive = Archive(w =>
        {
            for (var i = 0; i < 200; i++)
            {
                AddFile(w, $"dir{i % 10}/file{i}.txt", new string('x', 1000 + i));
            }
        });
        var id = Guid.NewGuid();
        Directory.CreateDirectory(_root);
        await File.WriteAllBytesAsync(Store.ArchivePath(id), archive);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.PrepareDirectoryAsync(id, CancellationToken.None))));

        Assert.Single(results.Distinct());
        Assert.Equal(200, Directory.GetFiles(results[0], "*", SearchOption.AllDirectories).Length);
        Assert.Equal(1000 + 199, new FileInfo(Path.Combine(results[0], "dir9/file199.txt")).Length);
        Assert.Equal([id.ToString("N"), id.ToString("N") + ".tar.gz"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Prepare_UnknownBundle_ThrowsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => Store.PrepareDirectoryAsync(Guid.NewGuid(), CancellationToken.None));
    }

    private byte[] Malicious(string kind)
    {
        var outsideName = Path.GetFileName(_outside);
        return kind switch
        {
            "absolute" => Archive(w => AddFile(w, Path.Combine(_outside, "evil"), "x")),
            "dotdot" => Archive(w => AddFile(w, $"../{outsideName}/evil", "x")),
            "dotdot-inner" => Archive(w => AddFile(w, "a/b/../../../evil", "x")),
            "symlink-absolute" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = _outside })),
            "symlink-up" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = $"../{outsideName}" })),
            "symlink-via-self-link" => Archive(w =>
            {
                // "here" is the bundle's root; "here/../x" looks inside by spelling, but leaves it when followed.
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "here") { LinkName = "." });
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "sub/esc") { LinkName = "../here/../" + outsideName });
            }),
            "symlink-chain-out" => Archive(w =>
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "a") { LinkName = "b" });
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "b") { LinkName = "c/.." });
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "c") { LinkName = ".." });
            }),
            "write-through-symlink" => Archive(w =>
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "real/"));
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "alias") { LinkName = "real" });
                AddFile(w, "alias/file", "x");
            }),
            "hardlink-absolute" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "passwd") { LinkName = "/etc/passwd" })),
            "hardlink-up" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "secret") { LinkName = $"../{outsideName}/secret" })),
            "hardlink-to-symlink" => Archive(w =>
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "l") { LinkName = "target" });
                w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "h") { LinkName = "l" });
            }),
            "char-device" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 })),
            "block-device" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "sda") { DeviceMajor = 8, DeviceMinor = 0 })),
            "fifo" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "pipe"))),
            "duplicate" => Archive(w =>
            {
                AddFile(w, "app.py", "one");
                AddFile(w, "app.py", "two");
            }),
            "file-under-file" => Archive(w =>
            {
                AddFile(w, "a", "file");
                AddFile(w, "a/b", "under a file");
            }),
            "not-gzip" => Encoding.UTF8.GetBytes("this is not an archive at all"),
            "gzip-not-tar" => Gzip(Encoding.UTF8.GetBytes(new string('z', 2000))),
            "truncated" => Archive(w => AddFile(w, "big", new string('q', 100_000)))[..200],
            "too-big-unpacked" => Archive(w => AddFile(w, "zeros", new string('\0', 2 * 1024 * 1024))),
            "empty" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static byte[] Unextractable(string kind) => kind switch
    {
        "long-name" => Archive(w => AddFile(w, new string('n', 300), "x")),
        "long-name-multibyte" => Archive(w => AddFile(w, new string('é', 128), "256 bytes in UTF-8")),
        "long-directory" => Archive(w => AddFile(w, new string('d', 256) + "/app.py", "x")),
        "long-path" => Archive(w => AddFile(w, string.Join('/', Enumerable.Repeat(new string('p', 200), 25)), "x")),
        "deep-nesting" => Archive(w => AddFile(w, string.Join('/', Enumerable.Repeat("d", 200)), "x")),
        "symlink-long-target" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = string.Join('/', Enumerable.Repeat("t", 3000)) })),
        "symlink-long-target-component" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = new string('t', 300) })),
        "hardlink-long-target" => Archive(w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "copy") { LinkName = new string('t', 300) })),
        "directory-over-file" => Archive(w =>
        {
            AddFile(w, "a", "a file");
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "a/"));
        }),
        "directory-over-dangling-symlink" => Archive(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "d") { LinkName = "missing" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "d/"));
        }),
        "sparse-file" => Gzip([.. GnuHeader("before.txt", (byte)'0'), .. GnuHeader("sparse", (byte)'S'), .. new byte[1024]]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The header of an empty GNU tar entry of type <paramref name="typeFlag"/> (TarWriter cannot write every type).</summary>
    private static byte[] GnuHeader(string name, byte typeFlag)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = typeFlag;
        Encoding.ASCII.GetBytes("ustar  \0").CopyTo(header, 257);
        "        "u8.ToArray().CopyTo(header, 148);
        var sum = header.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    private static void AddFile(TarWriter writer, string name, string content, UnixFileMode? mode = null)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        if (mode is { } m)
        {
            entry.Mode = m;
        }

        writer.WriteEntry(entry);
    }

    private static byte[] Archive(Action<TarWriter> write)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        return Gzip(tar.ToArray());
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
