using System.Xml;
using System.Xml.Linq;

namespace Poddle.Agent.Gpu;

/// <summary>What <c>nvidia-smi -q -x</c> says: the driver, CUDA and each GPU with its processes.</summary>
public sealed record NvidiaSmiSnapshot(
    string? DriverVersion,
    string? CudaVersion,
    IReadOnlyList<GpuDevice> Gpus,
    IReadOnlyList<GpuProcess> Processes);

/// <summary>
/// Parses <c>nvidia-smi -q -x</c> (the nvsmi_device DTD). Element names moved between driver generations
/// (power_readings → gpu_power_readings, power_draw → average_power_draw), so each value is looked up under its
/// current name first and its older names after.
/// </summary>
public static class NvidiaSmiXml
{
    /// <exception cref="FormatException">The text is not nvidia-smi XML.</exception>
    public static NvidiaSmiSnapshot Parse(string xml)
    {
        XDocument document;
        try
        {
            // nvidia-smi writes a DOCTYPE naming a DTD file that is not there: ignore it rather than resolve it.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new FormatException("nvidia-smi -q -x output is not XML: " + ex.Message, ex);
        }

        var root = document.Root;
        if (root is null || root.Name.LocalName != "nvidia_smi_log")
        {
            throw new FormatException("nvidia-smi -q -x output has no <nvidia_smi_log> root.");
        }

        var driver = Value(root, "driver_version");
        var gpus = new List<GpuDevice>();
        var processes = new List<GpuProcess>();
        foreach (var gpu in root.Elements("gpu"))
        {
            var uuid = Value(gpu, "uuid");
            gpus.Add(new GpuDevice
            {
                Index = gpus.Count,
                Uuid = uuid,
                Name = Value(gpu, "product_name"),
                DriverVersion = driver,
                PerformanceState = Value(gpu, "performance_state"),
                TemperatureC = Number(gpu, "temperature/gpu_temp"),
                UtilizationPercent = Number(gpu, "utilization/gpu_util"),
                MemoryUtilizationPercent = Number(gpu, "utilization/memory_util"),
                MemoryTotalMiB = Number(gpu, "fb_memory_usage/total"),
                MemoryUsedMiB = Number(gpu, "fb_memory_usage/used"),
                MemoryFreeMiB = Number(gpu, "fb_memory_usage/free"),
                PowerDrawW = Number(gpu, "gpu_power_readings/average_power_draw", "gpu_power_readings/power_draw", "gpu_power_readings/instant_power_draw", "power_readings/power_draw"),
                PowerLimitW = Number(gpu, "gpu_power_readings/current_power_limit", "gpu_power_readings/enforced_power_limit", "power_readings/enforced_power_limit", "power_readings/power_limit"),
                PersistenceMode = Value(gpu, "persistence_mode"),
                SmClockMHz = Number(gpu, "clocks/sm_clock"),
                MemoryClockMHz = Number(gpu, "clocks/mem_clock"),
            });

            foreach (var process in gpu.Element("processes")?.Elements("process_info") ?? [])
            {
                processes.Add(new GpuProcess(
                    (int?)NvidiaSmiCsv.ParseNumber(Value(process, "pid")),
                    Value(process, "process_name"),
                    NvidiaSmiCsv.ParseNumber(Value(process, "used_memory")),
                    uuid));
            }
        }

        return new NvidiaSmiSnapshot(driver, Value(root, "cuda_version"), gpus, processes);
    }

    private static string? Value(XElement parent, string path)
    {
        var element = parent;
        foreach (var name in path.Split('/'))
        {
            element = element.Element(name);
            if (element is null)
            {
                return null;
            }
        }

        var text = element.Value.Trim();
        return NvidiaSmiCsv.IsMissing(text) ? null : text;
    }

    private static double? Number(XElement parent, params string[] paths)
    {
        foreach (var path in paths)
        {
            if (NvidiaSmiCsv.ParseNumber(Value(parent, path)) is { } number)
            {
                return number;
            }
        }

        return null;
    }
}
