using System.CommandLine;
using Gme.Cli;
using Gme.Cli.Hosting;

// The CLI owns Ctrl-C and SIGTERM (System.CommandLine's handling is off and the host's console lifetime is replaced):
// the first signal cancels the command, which prints one line and exits 130 within seconds; a second one ends the
// process at once.
using var interrupt = new CliInterrupt();
var code = await GmeCommandLine.Build().Parse(args).InvokeAsync(
    new InvocationConfiguration { ProcessTerminationTimeout = null }, interrupt.Token);

// Work abandoned by a bounded shutdown (a consumer that ignored its token, a decoder on a dedicated thread) must not
// keep the process alive after the command has answered.
Environment.Exit(code);
