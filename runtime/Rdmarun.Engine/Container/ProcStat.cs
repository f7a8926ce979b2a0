namespace Rdmarun.Engine.Container;

/// <summary>Reads /proc/&lt;pid&gt;/stat: is a process alive, and is it still the one we started.</summary>
public static class ProcStat
{
    /// <summary>(state char, start time) or null when the process does not exist.</summary>
    public static (char State, ulong StartTime)? Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // comm may contain spaces and parentheses: fields start after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); start time is field 22 → index 19.
        if (fields.Length < 20 || !ulong.TryParse(fields[19], out var start)) return null;
        return (fields[0][0], start);
    }

    /// <summary>The process group of a live (not zombie) process, or null.</summary>
    public static int? Group(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[2] is field 5 (pgrp).
        if (fields.Length < 20 || fields[0] is "Z" or "X" || !int.TryParse(fields[2], out var pgrp)) return null;
        return pgrp;
    }

    /// <summary>True when pid runs and is the process that started at startTime (not a zombie, not a reused pid).</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        if (pid <= 0) return false;
        var s = Read(pid);
        return s is { } v && v.StartTime == startTime && v.State != 'Z' && v.State != 'X';
    }
}
