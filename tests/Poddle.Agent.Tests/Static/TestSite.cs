using System.Text;

namespace Poddle.Agent.Tests.Static;

/// <summary>
/// A built single-page app in a temporary directory (index.html, hashed JS and CSS over 1 KB, a small text file, an
/// image, a dotfile), next to a secret file outside it that no request may reach. Deleted on dispose.
/// </summary>
internal sealed class TestSite : IDisposable
{
    public const string Secret = "TOP-SECRET-6c1f0e";

    public TestSite()
    {
        Parent = Directory.CreateTempSubdirectory("poddle-static-test-").FullName;
        Root = Path.Combine(Parent, "site");
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        Directory.CreateDirectory(Path.Combine(Parent, "outside"));
        File.WriteAllText(Path.Combine(Parent, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(Parent, "outside", "secret.txt"), Secret);

        IndexHtml = "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/assets/app-3F2A9C1B.css\"></head><body><div id=\"app\"></div>"
            + string.Concat(Enumerable.Range(0, 60).Select(i => $"<p>paragraph {i} of the page</p>"))
            + "<script type=\"module\" src=\"/assets/app.3f2a9c1b.js\"></script></body></html>";
        Write("index.html", IndexHtml);
        Script = string.Concat(Enumerable.Range(0, 400).Select(i => $"export function f{i}(x) {{ return x * {i}; }}\n"));
        Write("assets/app.3f2a9c1b.js", Script);
        Write("assets/app-3F2A9C1B.css", string.Concat(Enumerable.Range(0, 100).Select(i => $".c{i} {{ color: #{i:x6}; margin: {i}px; }}\n")));
        Write("robots.txt", "User-agent: *\nAllow: /\n");
        Write("manifest.json", "{\"name\":\"test\"," + string.Concat(Enumerable.Range(0, 80).Select(i => $"\"k{i}\":\"value number {i}\",")) + "\"end\":true}");
        Write("docs/index.html", "<!doctype html><title>docs</title>");
        Write(".env", "SECRET=" + Secret);
        Image = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))];
        File.WriteAllBytes(Path.Combine(Root, "assets", "logo.png"), Image);

        // Links: one to a file outside, one to a directory outside, one to a file inside (served).
        File.CreateSymbolicLink(Path.Combine(Root, "leak.txt"), Path.Combine(Parent, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "outside-dir"), Path.Combine(Parent, "outside"));
        File.CreateSymbolicLink(Path.Combine(Root, "robots-link.txt"), Path.Combine(Root, "robots.txt"));
    }

    public string Parent { get; }

    public string Root { get; }

    public string IndexHtml { get; }

    public string Script { get; }

    public byte[] Image { get; }

    public void Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a server that is stopping; the temp directory is cleaned by the OS eventually.
        }
    }
}
