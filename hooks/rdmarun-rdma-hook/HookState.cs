using System.Text.Json;

namespace Rdmarun.RdmaHook;

/// <summary>The fields of the OCI state (stdin of a hook) this hook needs. JsonDocument: no reflection, AOT-safe.</summary>
public sealed record HookState(string Id, int Pid, IReadOnlyDictionary<string, string> Annotations)
{
    public static HookState Parse(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new HookException($"state on stdin is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"); }
        using var _ = doc;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new HookException("state on stdin is not a JSON object");
        var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        var pid = root.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
            foreach (var kv in a.EnumerateObject())
                if (kv.Value.ValueKind == JsonValueKind.String) annotations[kv.Name] = kv.Value.GetString()!;
        return new HookState(id, pid, annotations);
    }

    /// <summary>Devices named by org.rdmarun.rdma.devices; "all"/"none" name nothing to move.</summary>
    public IReadOnlyList<string> Devices
        => Annotations.TryGetValue("org.rdmarun.rdma.devices", out var v)
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(d => d is not ("all" or "none" or "void")).ToList()
            : [];
}

public sealed class HookException(string message) : Exception(message);
