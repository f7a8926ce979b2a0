using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>
/// Turns the default config into what `runc spec --rootless` (and `rdmarun spec --rootless`) writes for
/// the user: a user namespace mapping only the user's own ids to root, no network namespace (nothing
/// could configure it), /sys bound from the host (sysfs needs a network namespace the user owns), no
/// uid=/gid= mount options (those ids are not mapped) and no linux.resources (cgroups are not delegated).
/// Every runtime column gets the same bundle, so the harness writes it rather than asking one runtime.
/// </summary>
static class RootlessSpec
{
    public static void Apply(JsonObject config, RootlessUser user)
    {
        var linux = (JsonObject)config["linux"]!;
        var namespaces = ((JsonArray)linux["namespaces"]!)
            .Where(ns => (string?)ns!["type"] is not ("network" or "user"))
            .Select(ns => ns!.DeepClone()).Append(DefaultSpec.Ns("user")).ToArray();
        linux["namespaces"] = new JsonArray(namespaces);
        linux["uidMappings"] = new JsonArray(Map(0, user.Uid, 1));
        linux["gidMappings"] = new JsonArray(Map(0, user.Gid, 1));
        linux.Remove("resources");

        var mounts = new JsonArray();
        foreach (var m in ((JsonArray)config["mounts"]!).Select(m => (JsonObject)m!.DeepClone()))
        {
            if ((string?)m["destination"] == "/sys")
            {
                mounts.Add(DefaultSpec.Mount("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
                continue;
            }
            if (m["options"] is JsonArray options)
                m["options"] = DefaultSpec.Array(options.Select(o => (string)o!).Where(o => !o.StartsWith("uid=") && !o.StartsWith("gid=")));
            mounts.Add(m);
        }
        config["mounts"] = mounts;
    }

    /// <summary>
    /// Adds the user's subordinate ids after its own: container ids 1..N map to the /etc/subuid and
    /// /etc/subgid ranges, written by newuidmap/newgidmap. Skips the case when the user has none.
    /// </summary>
    public static void MapSubordinateIds(JsonObject config, RootlessUser user, long needed)
    {
        if (user.WhyNoSubordinateIds(needed) is { } why)
            throw new CaseSkippedException(why);
        var linux = (JsonObject)config["linux"]!;
        long uids = Math.Min(user.SubUids!.Count, 65536), gids = Math.Min(user.SubGids!.Count, 65536);
        linux["uidMappings"] = new JsonArray(Map(0, user.Uid, 1), Map(1, user.SubUids.Start, uids));
        linux["gidMappings"] = new JsonArray(Map(0, user.Gid, 1), Map(1, user.SubGids.Start, gids));
    }

    static JsonObject Map(long containerId, long hostId, long size) =>
        new() { ["containerID"] = containerId, ["hostID"] = hostId, ["size"] = size };
}
