/**
 * Planning tools: the discrete-event simulator, station planning, imports
 * of real CAD exports and the live replay. They use the dispatch server's
 * policy functions and the routing package's Router, so what wins here is
 * what runs live.
 */
export {};
