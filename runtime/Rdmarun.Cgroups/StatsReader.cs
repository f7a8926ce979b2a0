namespace Rdmarun.Cgroups;

/// <summary>Parsers shared by the v1 and v2 stats code.</summary>
public static class StatsReader
{
    /// <summary>Parses rdma.current/rdma.max: "mlx5_0 hca_handle=2 hca_object=max" per line.</summary>
    public static Dictionary<string, (ulong? Handles, ulong? Objects)> ParseRdma(string? text)
    {
        var result = new Dictionary<string, (ulong?, ulong?)>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            ulong? handles = null, objects = null;
            foreach (var kv in parts.Skip(1))
            {
                var eq = kv.IndexOf('=');
                if (eq < 0) continue;
                ulong? v = ulong.TryParse(kv[(eq + 1)..], out var n) ? n : null;
                if (kv[..eq] == "hca_handle") handles = v; else if (kv[..eq] == "hca_object") objects = v;
            }
            result[parts[0]] = (handles, objects);
        }
        return result;
    }

    public static Dictionary<string, RdmaDeviceStats> Rdma(string dir)
    {
        var current = ParseRdma(CgroupFile.TryRead(dir, "rdma.current"));
        var max = ParseRdma(CgroupFile.TryRead(dir, "rdma.max"));
        var result = new Dictionary<string, RdmaDeviceStats>();
        foreach (var dev in current.Keys.Union(max.Keys))
        {
            current.TryGetValue(dev, out var c);
            var hasMax = max.TryGetValue(dev, out var m);
            result[dev] = new RdmaDeviceStats
            {
                HcaHandlesCurrent = c.Handles ?? 0, HcaObjectsCurrent = c.Objects ?? 0,
                HcaHandlesMax = hasMax ? m.Handles : null, HcaObjectsMax = hasMax ? m.Objects : null,
            };
        }
        return result;
    }

    /// <summary>v1 reports "no limit" as a page-rounded huge number rather than "max".</summary>
    public static ulong? V1Limit(ulong v) => v >= 0x7FFFFFFFFFFFF000UL ? null : v;
}
