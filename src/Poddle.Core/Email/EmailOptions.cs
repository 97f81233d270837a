namespace Poddle.Core.Email;

/// <summary>
/// Outgoing mail (configuration section "Email", e.g. PODDLE_Email__Smtp__Host). Without <c>Email:Smtp:Host</c> the
/// server sends no mail: password reset by mail is unavailable, and email verification is never required.
/// Validated at start by <see cref="EmailOptionsValidator"/>.
/// </summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>
    /// When true (the default) and an SMTP server is configured, an account whose address is not verified cannot create
    /// or change deployments. Without an SMTP server nobody could verify, so it is never required then.
    /// </summary>
    public bool RequireVerification { get; set; } = true;

    /// <summary>Mail a verified user on each new sign-in (the password changed notice is always sent).</summary>
    public bool SignInNotices { get; set; } = true;

    /// <summary>The address users reach this server at (https://poddle.example.com), named in mails so the CLI commands in them work as written.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>True when an SMTP server is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Smtp.Host);

    /// <summary>True when unverified accounts are held back (see <see cref="RequireVerification"/>).</summary>
    public bool VerificationRequired => IsConfigured && RequireVerification;
}

/// <summary>The SMTP server mail goes to (section "Email:Smtp").</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>How the connection is protected: StartTls (the default, for port 587), SslOnConnect (port 465) or None (a local relay).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Optional; with a user name the server is asked to authenticate (then <see cref="Password"/> is required).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, "noreply@example.com" or "Poddle &lt;noreply@example.com&gt;"; required with a host.</summary>
    public string? From { get; set; }

    /// <summary>How long one SMTP operation may take before the attempt fails (and the mail job is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>TLS on the SMTP connection.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection, upgraded with STARTTLS; refused when the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS at all: only for a relay on the same host or a trusted network.</summary>
    None,
}
