#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

/* Accessors for readline's global variables. Swift 6 refuses direct references to C globals
   (shared mutable state); the REPL touches them only on its main thread, inside readline's callbacks. */

/* Sets the program name, the word-break characters (for both basic and completer breaks)
   and the completion callback. The strings must outlive readline (pass strdup'd copies). */
static inline void swl_rl_configure(const char *name, const char *breaks, rl_completion_func_t *complete) {
    rl_readline_name = name;
    rl_basic_word_break_characters = breaks;
    rl_completer_word_break_characters = breaks;
    rl_attempted_completion_function = complete;
}

/* 1: no filename completion after our matches; 0: readline falls back to file names. */
static inline void swl_rl_set_attempted_completion_over(int over) { rl_attempted_completion_over = over; }

/* 1: no space after a single completion (for `name=`). */
static inline void swl_rl_set_completion_suppress_append(int suppress) { rl_completion_suppress_append = suppress; }

/* The line being edited and the cursor's byte offset in it. */
static inline const char *swl_rl_line_buffer(void) { return rl_line_buffer; }
static inline int swl_rl_point(void) { return rl_point; }
