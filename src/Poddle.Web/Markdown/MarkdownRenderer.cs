using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace Poddle.Web.Markdown;

/// <summary>
/// Turns Markdown written by people (problem statements, cheatsheets) into HTML a page may show: Markdig renders it
/// with raw HTML disabled, and HtmlSanitizer removes whatever could still run (scripts, event handlers, javascript:
/// links) before it becomes a <see cref="MarkupString"/>. The only way Markdown reaches a page. Thread-safe (one per app).
/// </summary>
public sealed class MarkdownRenderer
{
    /// <summary>Longest Markdown rendered (a problem statement is far shorter); the rest is cut off.</summary>
    public const int MaxLength = 256 * 1024;

    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private readonly HtmlSanitizer _sanitizer = new();

    /// <summary>The sanitized HTML of <paramref name="markdown"/>; empty for null.</summary>
    public MarkupString Render(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return new MarkupString(string.Empty);
        }

        var text = markdown.Length > MaxLength ? markdown[..MaxLength] : markdown;
        return new MarkupString(_sanitizer.Sanitize(Markdig.Markdown.ToHtml(text, _pipeline)));
    }
}
