// irc-framework ships no types; the tests use it loosely.
declare module 'irc-framework';
