using System.Text.Json;

namespace Rdmarun.Engine.Container;

/// <summary>
/// creating.json: what a create in progress has made so far (cgroup paths, then the init pid and any
/// moved RDMA device). state.json is written only when create succeeds; a create killed before that
/// (SIGKILL, OOM) would otherwise leave a cgroup and an init blocked on exec.fifo that nothing knows
/// of. `delete --force` reads this file to undo it.
/// </summary>
public static class CreatingRecord
{
    private const string FileName = "creating.json";

    /// <summary>Atomic (temp + rename): a kill mid-write leaves the previous version, never half a file.</summary>
    public static void Save(StateStore store, ContainerRecord r)
    {
        var dir = store.DirOf(r.Id);
        var tmp = Path.Combine(dir, FileName + ".tmp");
        File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(r, StateJsonContext.Default.ContainerRecord));
        File.Move(tmp, Path.Combine(dir, FileName), overwrite: true);
    }

    /// <summary>
    /// Just before RDMA devices move into the container's netns: names them and the namespaces (a netns named
    /// by path outlives the container, so delete must move devices back out of it). A create killed mid-move is
    /// then undone by `delete --force`; a device named here that never moved is simply found on the host.
    /// </summary>
    public static void SaveBeforeRdmaMove(StateStore store, ContainerRecord partial, IReadOnlyList<string> devices)
    {
        var annotations = new Dictionary<string, string>(partial.Annotations ?? []);
        annotations[Rdma.RdmaNetnsMove.MovedAnnotation] = string.Join(",", devices);
        partial.Annotations = annotations;
        Save(store, partial);
    }

    /// <summary>The record of an unfinished create, or null when there is none (or it cannot be read).</summary>
    public static ContainerRecord? Load(StateStore store, string id)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(store.DirOf(id), FileName)), StateJsonContext.Default.ContainerRecord); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }
}
