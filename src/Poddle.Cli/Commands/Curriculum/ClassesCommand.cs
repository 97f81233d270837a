namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle classes create|ls|join|progress`.</summary>
internal sealed class ClassesCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "classes",
    "Classes: teachers create them and see their students' progress; students join one by its code",
    new CreateClassCommand(environment, globals),
    new ListClassesCommand(environment, globals),
    new JoinClassCommand(environment, globals),
    new ClassProgressCommand(environment, globals));
