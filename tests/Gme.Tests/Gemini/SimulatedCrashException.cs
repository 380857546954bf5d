namespace Gme.Tests.Gemini;

/// <summary>Thrown by a test at a submit boundary to stand in for the process dying there.</summary>
internal sealed class SimulatedCrashException(string message) : Exception(message);
