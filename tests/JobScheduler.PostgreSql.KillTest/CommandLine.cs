using System.Globalization;

namespace JobScheduler.PostgreSql.KillTest;

/// <summary>
/// <c>--name value</c> pairs; every option is read once, and any left over is an error, so a misspelt option fails
/// instead of being ignored.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                throw new ArgumentException($"Expected an option (--name value), found '{name}'.");
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            if (!_values.TryAdd(name[2..], args[++i]))
            {
                throw new ArgumentException($"Option {name} is given twice.");
            }
        }
    }

    public string? String(string name) => _values.Remove(name, out var value) ? value : null;

    public int Int(string name, int defaultValue, int min, int max)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} must be a whole number from {min} to {max}; found '{text}'.");
        }

        return value;
    }

    public double? Double(string name, double min, double max)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} must be a number from {min} to {max}; found '{text}'.");
        }

        return value;
    }

    public TEnum Enum<TEnum>(string name, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) || !System.Enum.IsDefined(value))
        {
            throw new ArgumentException($"--{name} must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}; found '{text}'.");
        }

        return value;
    }

    /// <summary>Fails on options nobody read.</summary>
    public void EnsureAllRead()
    {
        if (_values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", _values.Keys.Select(k => "--" + k))}.");
        }
    }
}
