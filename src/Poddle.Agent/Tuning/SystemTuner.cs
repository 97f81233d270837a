using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Files;
using Poddle.Agent.Native;
using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Tuning;

/// <summary>What the tuning phase sets.</summary>
/// <remarks>ProcSys: The sysctl tree (/proc/sys).</remarks>
/// <remarks>NvidiaSmi: nvidia-smi path or name in PATH.</remarks>
public sealed record TuningSettings(string ProcSys, string NvidiaSmi, int OpenFiles, int Somaxconn, int Swappiness, string? Path);

/// <summary>
/// The tuning phase: raises the open-files limit (inherited by the app), sets net.core.somaxconn and vm.swappiness
/// where /proc/sys is writable, and turns on GPU persistence mode where nvidia-smi exists. A step that cannot be done is
/// skipped or failed with the reason; nothing here throws.
/// </summary>
public sealed partial class SystemTuner(TuningSettings settings, ILogger<SystemTuner> logger)
{
    /// <summary>Runs every step.</summary>
    public async Task<IReadOnlyList<TuningStep>> TuneAsync(CancellationToken cancellationToken)
    {
        List<TuningStep> steps =
        [
            RaiseOpenFiles(),
            SetSysctl("somaxconn", "net/core/somaxconn", settings.Somaxconn, raiseOnly: true),
            SetSysctl("swappiness", "vm/swappiness", settings.Swappiness, raiseOnly: false),
            await GpuPersistenceAsync(cancellationToken),
        ];
        foreach (var step in steps)
        {
            LogStep(logger, step.Name, step.Result, step.Detail);
        }

        return steps;
    }

    /// <summary>Writes the status file atomically; an unwritable path is logged and skipped.</summary>
    public async Task<bool> WriteStatusAsync(string path, TuningStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(status, TuningJsonContext.Default.TuningStatus), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStatusSkipped(logger, path, ex.Message);
            return false;
        }
    }

    private TuningStep RaiseOpenFiles()
    {
        const string Name = "nofile";
        if (LibC.GetRlimit(LibC.RlimitNoFile, out var limit) != 0)
        {
            return new TuningStep(Name, "failed", "getrlimit failed (errno " + System.Runtime.InteropServices.Marshal.GetLastPInvokeError() + ")");
        }

        var wanted = (ulong)settings.OpenFiles;
        if (limit.Current >= wanted)
        {
            return new TuningStep(Name, "skipped", $"already {limit.Current} (soft), {limit.Maximum} (hard)");
        }

        var before = limit.Current;

        // Raising the hard limit needs CAP_SYS_RESOURCE; try it, else go as far as the hard limit allows.
        var raised = new LibC.RLimit { Current = wanted, Maximum = Math.Max(wanted, limit.Maximum) };
        if (LibC.SetRlimit(LibC.RlimitNoFile, ref raised) == 0)
        {
            return new TuningStep(Name, "applied", $"soft limit {before} to {wanted}");
        }

        if (limit.Maximum > before)
        {
            var capped = new LibC.RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (LibC.SetRlimit(LibC.RlimitNoFile, ref capped) == 0)
            {
                return new TuningStep(Name, "applied", $"soft limit {before} to {limit.Maximum} (the hard limit; {wanted} needs CAP_SYS_RESOURCE)");
            }
        }

        return limit.Current >= limit.Maximum
            ? new TuningStep(Name, "skipped", $"already at the hard limit {limit.Maximum}; {wanted} needs CAP_SYS_RESOURCE")
            : new TuningStep(Name, "failed", $"setrlimit refused (soft {before}, hard {limit.Maximum})");
    }

    private TuningStep SetSysctl(string name, string relative, int wanted, bool raiseOnly)
    {
        var path = Path.Combine(settings.ProcSys, relative);
        if (!File.Exists(path))
        {
            return new TuningStep(name, "skipped", $"{path} does not exist");
        }

        try
        {
            var current = File.ReadAllText(path).Trim();
            if (int.TryParse(current, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && (value == wanted || (raiseOnly && value > wanted)))
            {
                return new TuningStep(name, "skipped", $"already {value}");
            }

            File.WriteAllText(path, wanted.ToString(CultureInfo.InvariantCulture) + "\n");
            return new TuningStep(name, "applied", $"{current} to {wanted}");
        }
        catch (UnauthorizedAccessException)
        {
            return new TuningStep(name, "skipped", $"{path} is not writable (read-only /proc/sys, as in most containers)");
        }
        catch (IOException ex)
        {
            // EROFS on a read-only mount and EACCES surface here as IOException.
            return new TuningStep(name, "skipped", $"{path} is not writable: {ex.Message}");
        }
    }

    private async Task<TuningStep> GpuPersistenceAsync(CancellationToken cancellationToken)
    {
        const string Name = "gpu-persistence";
        var nvidiaSmi = AppSupervisor.ResolveExecutable(settings.NvidiaSmi, settings.Path);
        if (nvidiaSmi is null)
        {
            return new TuningStep(Name, "skipped", $"{settings.NvidiaSmi} not found (no NVIDIA GPU driver)");
        }

        var start = new ProcessStartInfo(nvidiaSmi) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-pm");
        start.ArgumentList.Add("1");
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return new TuningStep(Name, "failed", "nvidia-smi -pm 1 did not finish within 30 s");
            }

            var output = ((await stdout) + (await stderr)).Trim();
            return process.ExitCode == 0
                ? new TuningStep(Name, "applied", output.Length > 0 ? FirstLine(output) : "nvidia-smi -pm 1")
                : new TuningStep(Name, "failed", $"nvidia-smi -pm 1 exited {process.ExitCode}: {FirstLine(output)}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new TuningStep(Name, "failed", $"cannot run {nvidiaSmi}: {ex.Message}");
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tuning {Step}: {Result} ({Detail})")]
    private static partial void LogStep(ILogger logger, string step, string result, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tuning status file {Path} skipped: {Reason}")]
    private static partial void LogStatusSkipped(ILogger logger, string path, string reason);
}
